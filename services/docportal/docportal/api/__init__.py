from flask_smorest import Blueprint


def blueprints() -> list[Blueprint]:
    from docportal.api import documents, shares

    return [documents.blp, shares.blp]
