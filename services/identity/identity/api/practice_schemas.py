"""Bodies of the practice-wide settings routes beyond the billing integration."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from identity.domain.recognized_domains import LONGEST_DOMAIN, MOST_DOMAINS


class RecognizedDomainsSchema(Schema):
    domains = fields.List(
        fields.Str(validate=validate.Length(min=1, max=LONGEST_DOMAIN + 1)), required=True,
        validate=validate.Length(min=1, max=MOST_DOMAINS * 2),
        metadata={"description": "Every email domain of the practice's own staff (the whole "
                                 f"list, at most {MOST_DOMAINS}); audit raises an alert for a "
                                 "profile whose domain is not in it"})
