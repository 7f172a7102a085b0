"""The client address and browser an attempt records are bounded and printable."""

from identity.domain.origins import LONGEST_USER_AGENT, UNKNOWN_ADDRESS, origin_of


def test_a_request_without_an_address_counts_as_the_unknown_address():
    assert origin_of(None, None).address == UNKNOWN_ADDRESS
    assert origin_of("  ", "").address == UNKNOWN_ADDRESS


def test_a_long_user_agent_is_cut_and_line_breaks_are_spaces():
    origin = origin_of("2001:db8::1", "Mozilla/5.0\r\nX-Injected: yes " + "A" * 5_000)
    assert origin.address == "2001:db8::1"
    assert len(origin.user_agent) == LONGEST_USER_AGENT
    assert origin.user_agent.startswith("Mozilla/5.0 X-Injected: yes AAA")
