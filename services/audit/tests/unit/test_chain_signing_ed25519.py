from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit.adapters.signing import Ed25519Signer, Ed25519Verifier
from audit.domain.chain import ChainHead, append_record
from audit.domain.checkpoints import sign_checkpoint, verify_with_checkpoints

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_ed25519_signature_verifies_with_the_matching_public_key():
    signer = Ed25519Signer.generate()
    verifier = Ed25519Verifier([signer.public_key])
    signature = signer.sign(b"partition 0 seq 1")
    assert verifier.verify(signer.key_id, b"partition 0 seq 1", signature)
    assert not verifier.verify(signer.key_id, b"partition 0 seq 2", signature)
    assert not verifier.verify(signer.key_id, b"partition 0 seq 1", b"\x00" * 64)


def test_ed25519_verifier_refuses_an_unknown_key():
    signer, stranger = Ed25519Signer.generate(), Ed25519Signer.generate()
    verifier = Ed25519Verifier([signer.public_key])
    signature = stranger.sign(b"message")
    assert not verifier.verify(stranger.key_id, b"message", signature)
    # Claiming the trusted key's id does not help a signature made with another key.
    assert not verifier.verify(signer.key_id, b"message", signature)


def test_old_checkpoints_verify_after_a_key_rotation():
    old, new = Ed25519Signer.generate(), Ed25519Signer.generate()
    verifier = Ed25519Verifier.from_pems([old.public_pem(), new.public_pem()])
    first = append_record(ChainHead.genesis(0), {"id": "e1"})
    second = append_record(first.head, {"id": "e2"})
    checkpoints = [sign_checkpoint(first.head, NOW, old), sign_checkpoint(second.head, NOW, new)]
    assert verify_with_checkpoints([first, second], checkpoints, verifier).intact


def test_signer_loads_from_pem_and_keeps_its_key_id():
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert Ed25519Signer.from_pem(pem).key_id == Ed25519Signer(key).key_id
    assert len(Ed25519Signer(key).key_id) == 16
