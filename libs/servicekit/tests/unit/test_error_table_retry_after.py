from flask_smorest import Blueprint

from servicekit.web import create_service_app


class TooManyShares(Exception):
    def __init__(self, message: str, details: dict) -> None:
        super().__init__(message)
        self.details = details


def client_raising(details: dict, status: int = 429):
    blp = Blueprint("shares", __name__)

    @blp.route("/shares", methods=["POST"])
    def share():
        raise TooManyShares("Try again in 2 minutes.", details)

    app = create_service_app(name="docs", blueprints=[blp],
                             error_table={TooManyShares: (status, "too_many_shares")})
    return app.test_client()


def test_a_429_from_the_table_tells_when_to_retry_in_the_retry_after_header():
    response = client_raising({"retry_after_seconds": 119.4}).post("/shares")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "119"
    assert response.get_json()["error"]["details"] == {"retry_after_seconds": 119.4}


def test_retry_after_is_at_least_one_second():
    response = client_raising({"retry_after_seconds": 0}).post("/shares")
    assert response.headers["Retry-After"] == "1"


def test_no_retry_after_without_the_detail_or_on_other_statuses():
    assert "Retry-After" not in client_raising({}).post("/shares").headers
    other = client_raising({"retry_after_seconds": 5}, status=409).post("/shares")
    assert "Retry-After" not in other.headers
