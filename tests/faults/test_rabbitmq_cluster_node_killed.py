"""One node of a three-node RabbitMQ cluster killed -9 under load, later restarted: every
committed event reaches audit once, and the platform carries on on the other two nodes.

The queues are quorum queues with a replica on each node (BUS_QUORUM_QUEUES=1, as in
production); the relays and consumers get the failover BUS_URL ``amqp://n1;amqp://n2;amqp://n3``
and reconnect to the next node. The node killed is the one leading audit.all, which is also
the one every worker connected to first: the worst single node to lose.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from faultkit import (
    SPECS,
    Load,
    Platform,
    clinic_load,
    open_clinic,
    report,
    show_logs_if_failed,
)
from rabbitmq_cluster import ClusterNode, RabbitMQCluster, rabbitmq_cluster  # noqa: F401
from sqlalchemy import func, select

from audit.adapters.tables import audit_events
from servicekit_testing.fixtures import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.faults]

QUEUES = ("audit.all", "notes.identity")
LOAD_BEFORE_KILL = 4.0
NODE_DOWN = 8.0
LOAD_AFTER_RESTART = 3.0


@pytest.fixture
def cluster_platform(request, tmp_path, make_database, rabbitmq_cluster):  # noqa: F811
    """identity, notes and audit on the shared PostgreSQL, their bus the three-node cluster."""
    made = Platform(tmp_path, rabbitmq_cluster.urls(), {
        "identity": make_database(), "notes": make_database(), "audit": make_database()})
    made.migrate()
    yield made
    made.stop_all()
    show_logs_if_failed(request, made)


def first_stored_after(platform: Platform, moment: datetime, *, produced_after: bool) -> float:
    """Seconds from ``moment`` to the first event audit stored after it (and, if
    ``produced_after``, that occurred after it too)."""
    query = select(func.min(audit_events.c.received_at)).where(
        audit_events.c.received_at > moment)
    if produced_after:
        query = query.where(audit_events.c.occurred_at > moment)
    with platform.engine("audit").connect() as conn:
        first = conn.execute(query).scalar_one()
    assert first is not None, "audit stored nothing after the kill"
    return (first - moment).total_seconds()


def notes_projected_ids(platform: Platform) -> list[str]:
    """The identity events notes' consumer (notes.identity, bound to identity.#) handled."""
    inbox = SPECS["notes"].messaging.inbox
    with platform.engine("notes").connect() as conn:
        return list(conn.execute(select(inbox.c.event_id)
                                 .where(inbox.c.consumer == "notes.identity")).scalars())


def replica_in_step(cluster: RabbitMQCluster, queue: str, node: str, via: ClusterNode) -> bool:
    """``node``'s replica of ``queue`` follows the leader and has committed all it has."""
    replicas = cluster.replicas(queue, via=via)
    leader_commit = next(commit for state, commit in replicas.values() if state == "leader")
    return replicas.get(node) == ("follower", leader_commit)


def test_a_cluster_node_killed_under_load_loses_and_doubles_nothing(cluster_platform,
                                                                     rabbitmq_cluster):  # noqa: F811
    platform, cluster = cluster_platform, rabbitmq_cluster
    platform.start_workers()
    everyone = sorted(node.node for node in cluster.nodes)
    for queue in QUEUES:
        assert cluster.queue_members(queue, via=cluster.first) == everyone, queue
    victim = cluster.node_named(cluster.queue_leader("audit.all", via=cluster.first))
    survivor = next(node for node in cluster.nodes if node is not victim)
    clinic = open_clinic(platform)
    finalized: list[str] = []
    load = Load(clinic_load(clinic, finalized)).start()
    try:
        time.sleep(LOAD_BEFORE_KILL)
        killed_at, killed_wall = time.monotonic(), datetime.now(UTC)
        victim.kill9()
        new_leader = cluster.queue_leader("audit.all", via=survivor)
        before_kill = platform.committed_ids()
        wait_for(lambda: platform.audit_has(before_kill), timeout=60, interval=0.2)
        caught_up_on_two = time.monotonic() - killed_at
        time.sleep(max(0.0, NODE_DOWN - (time.monotonic() - killed_at)))
        restart_began = time.monotonic()
        victim.launch()
        victim.wait_started()
        restarted_in = time.monotonic() - restart_began
        wait_for(lambda: cluster.running_nodes(via=survivor) == everyone, timeout=60,
                 interval=0.5)
        down_for = time.monotonic() - killed_at
        time.sleep(LOAD_AFTER_RESTART)
    finally:
        load.stop()
        clinic.close()
    caught_up = platform.wait_caught_up(timeout=60)
    stored = platform.assert_exactly_once()
    committed = len(platform.committed_ids())
    identity_events = platform.outbox_ids("identity")
    wait_for(lambda: set(notes_projected_ids(platform)) == identity_events, timeout=30,
             interval=0.2)
    projected = notes_projected_ids(platform)
    for queue in QUEUES:  # the restarted node's replicas caught up from the other two
        wait_for(lambda q=queue: replica_in_step(cluster, q, victim.node, survivor), timeout=30,
                 interval=0.5)
    report("kill -9 of one node of a three-node RabbitMQ cluster (quorum queues) under load", {
        "cluster formed in (s)": cluster.formed_in,
        "node killed (leader of audit.all)": victim.node,
        "audit.all leader after the kill": new_leader,
        "requests": load.total,
        "failed requests": load.failed(),
        "first event stored after the kill (s)": first_stored_after(
            platform, killed_wall, produced_after=False),
        "first event produced after the kill stored (s)": first_stored_after(
            platform, killed_wall, produced_after=True),
        "everything committed before the kill stored (s)": caught_up_on_two,
        "node down, kill to rejoined (s)": down_for,
        "killed node restarted in (s)": restarted_in,
        "caught up after the load stopped (s)": caught_up,
        "notes finalized": len(finalized),
        "events committed by identity and notes": committed,
        "events stored by audit, each once": stored,
        "identity events committed / handled by notes.identity": (
            f"{len(identity_events)} / {len(projected)}"),
    })
    assert new_leader != victim.node
    assert load.failed() == 0, load.errors[:5]
    assert finalized, "the load finalized notes"
    assert sorted(platform.audit_subjects("notes.note.finalized")) == sorted(finalized)
    assert sorted(projected) == sorted(identity_events), "notes.identity lost or doubled"
    assert platform.dead_letters("notes.identity") == []
