"""GET /verify's query and answer."""

from marshmallow import Schema, fields


class VerifyQuery(Schema):
    org_id = fields.Str(load_default=None)


class PartitionBreak(Schema):
    partition = fields.Int()
    chain_seq = fields.Int(metadata={"description": "the first chain seq not vouched for"})
    kind = fields.Str(metadata={"description": "edited, deleted, reordered, truncated, "
                                               "partition_missing, checkpoint_missing, "
                                               "checkpoint_forged or rolled_back"})
    reason = fields.Str()
    event_id = fields.Str(allow_none=True)
    record_seq = fields.Int(allow_none=True)
    also = fields.List(fields.Str(), metadata={"description": "kinds of later breaks"})


class ChainReport(Schema):
    intact = fields.Bool()
    reason = fields.Str()
    partition = fields.Int(allow_none=True)
    chain_seq = fields.Int(allow_none=True)
    event_id = fields.Str(allow_none=True)
    record_seq = fields.Int(allow_none=True)
    records_checked = fields.Int()
    kind = fields.Str(allow_none=True)
    breaks = fields.List(fields.Nested(PartitionBreak),
                         metadata={"description": "the first break of each broken partition"})
    witness = fields.Str(allow_none=True, metadata={
        "description": "where the anchored checkpoints were read (a folder or s3://bucket)"})
