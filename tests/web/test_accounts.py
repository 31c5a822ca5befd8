"""Members' platform accounts: linked by member managers or by the member, unlinked only by managers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from beffroi.domain import Grant, Role
from beffroi.runtime import Runtime


def _member(runtime: Runtime, name: str, role: Role) -> tuple[str, dict[str, str]]:
    member_id = runtime.credentials.create_member(name, [Grant(role, "default")], None, "test")
    token = runtime.credentials.create_token(member_id, "test", None, "test")[1]
    return member_id, {"Authorization": f"Bearer {token}"}


def test_a_member_links_their_own_account_but_cannot_unlink_it(client: TestClient, runtime: Runtime) -> None:
    alice, as_alice = _member(runtime, "alice", Role.ADMIN)
    linked = client.post(
        f"/v1/members/{alice}/accounts", json={"platform": "bluesky", "account_id": "did:plc:abc/x"}, headers=as_alice
    )
    assert linked.status_code == 201, linked.text
    assert (linked.json()["platform"], linked.json()["account_id"]) == ("bluesky", "did:plc:abc/x")
    listed = client.get(f"/v1/members/{alice}/accounts", headers=as_alice).json()
    assert [(a["platform"], a["account_id"]) for a in listed] == [("bluesky", "did:plc:abc/x")]
    refused = client.delete(f"/v1/members/{alice}/accounts/bluesky/did:plc:abc/x", headers=as_alice)
    assert refused.status_code == 403
    assert "approve their own posts" in refused.json()["error"]["message"]
    assert client.delete(f"/v1/members/{alice}/accounts/bluesky/did:plc:abc/x").status_code == 204  # a manager
    assert client.get(f"/v1/members/{alice}/accounts", headers=as_alice).json() == []
    types = [e["type"] for e in client.get(f"/v1/audit?subject={alice}").json()]
    assert types[-2:] == ["member.account_linked", "member.account_unlinked"]


def test_an_account_belongs_to_one_member(client: TestClient, runtime: Runtime) -> None:
    alice, _ = _member(runtime, "alice", Role.ADMIN)
    bob, as_bob = _member(runtime, "bob", Role.MODERATOR)
    account = {"platform": "mastodon", "account_id": "109"}
    assert client.post(f"/v1/members/{alice}/accounts", json=account).status_code == 201
    taken = client.post(f"/v1/members/{bob}/accounts", json=account, headers=as_bob)
    assert taken.status_code == 409
    assert taken.json()["error"]["message"] == "account mastodon:109 is linked to another member"
    assert client.post(f"/v1/members/{alice}/accounts", json=account).status_code == 409
    assert (
        client.post(f"/v1/members/{alice}/accounts", json=account | {"account_id": "7"}, headers=as_bob).status_code
        == 403
    )
    assert client.get(f"/v1/members/{alice}/accounts", headers=as_bob).status_code == 403
    assert client.delete(f"/v1/members/{alice}/accounts/mastodon/nope").status_code == 404
    assert client.get("/v1/members/mbr_nobody/accounts").status_code == 404
