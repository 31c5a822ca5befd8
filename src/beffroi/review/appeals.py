"""Appeals: the author contests a decision within the appeal period; a reviewer who took no part in it decides.

An author without an account proves authorship with the appeal code of their statement of reasons; a platform
integration (ITEM_SUBMIT in the space) may file on the author's behalf. A reversal or modification is a new
decision that supersedes the contested one; the author is told the outcome either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Connection

from beffroi import audit, ids
from beffroi.access import Permission, Principal
from beffroi.domain import Appeal, AppealOutcome, AppealStatus, Decision, DecisionAction, DecisionStatus
from beffroi.errors import Conflict, Forbidden, InvalidRequest, NotFound
from beffroi.legal.statements import JUDICIAL, OUT_OF_COURT, ground_basis
from beffroi.review import appeal_codes, outbox
from beffroi.review.appeal_rulings import Ruling, outcome_decision
from beffroi.review.decision_rules import DecisionRules
from beffroi.review.effects import take_effect
from beffroi.store import appeals_store, audit_log, decisions_store
from beffroi.store.writer import Tx

NO_MATCH = "no decision matches this decision id and appeal code"


@dataclass(frozen=True)
class Filing:
    decision_id: str
    explanation: str
    appeal_code: str | None = None
    author: str | None = None  # platform:author id; a platform names it when a decision has several authors


def file(tx: Tx, filing: Filing, filer: Principal | None, rules: DecisionRules) -> Appeal:
    """File an appeal: by the author with the code (filer None), or by a platform token on the author's behalf."""
    decision, author = _appellant(tx, filing, filer)
    _appealable(decision, tx, rules.appeal_period)
    earlier = appeals_store.decided_for(tx.conn, decision.id, author)
    if earlier is not None:  # one internal review per decision (DSA Art. 20); courts and Art. 21 bodies remain
        raise Conflict(
            f"appeal {earlier} against decision {decision.id} was decided already",
            hint="its outcome was notified; an out-of-court dispute settlement body (DSA Art. 21) or a court may "
            "still be seized",
        )
    appeal = Appeal(
        id=ids.new_id("apl"),
        decision_id=decision.id,
        case_id=decision.case_id,
        space=decision.space,
        author=author,
        explanation=filing.explanation.strip(),
        status=AppealStatus.OPEN,
        filed_at=tx.now,
        filed_by="author" if filer is None else f"member:{filer.member_id}",
    )
    if not appeals_store.insert_open(tx, appeal):
        raise Conflict(
            f"an appeal against decision {decision.id} is open already",
            hint="one appeal at a time: its outcome will be notified",
        )
    actor = f"author:{author}" if filer is None else f"member:{filer.member_id}"
    digest = audit.text_digest(appeal.explanation)
    audit_log.append(tx, [audit.AppealFiled(actor, appeal.id, decision.id, author, digest)])
    return appeal


def decide(tx: Tx, appeal_id: str, ruling: Ruling, reviewer: Principal, rules: DecisionRules) -> Appeal:
    appeal = visible(tx.conn, appeal_id, reviewer)
    reviewer.require(Permission.DECISION_MAKE, appeal.space)
    if appeal.status is not AppealStatus.OPEN:
        raise Conflict(f"appeal {appeal_id} is decided already ({appeal.outcome})")
    contested = decisions_store.get(tx.conn, appeal.decision_id)
    assert contested is not None
    if contested.status is not DecisionStatus.EFFECTIVE:
        raise Conflict(f"decision {contested.id} is {contested.status.value}: the appeal has nothing left to decide")
    _independent(contested, reviewer)
    actor = f"member:{reviewer.member_id}"
    new = outcome_decision(ruling, contested, appeal.id, reviewer.member_id, rules.grounds, tx.now)
    events: list[audit.AuditEvent] = []
    if new is not None:
        decisions_store.insert(tx, new)
        events.extend(take_effect(tx, new, rules, actor))
        new = decisions_store.get(tx.conn, new.id)
    statement = ruling.statement.strip()
    if not appeals_store.decide(tx, appeal.id, ruling.outcome, statement, reviewer.member_id, new.id if new else None):
        raise Conflict(f"appeal {appeal_id} was decided meanwhile", hint="reload it")
    outbox.send(tx, [_outcome_notice(appeal, ruling.outcome, statement, new, tx)])
    events.append(
        audit.AppealDecided(actor, appeal.id, contested.id, ruling.outcome.value, statement, new.id if new else None)
    )
    audit_log.append(tx, events)
    decided = appeals_store.get(tx.conn, appeal.id)
    assert decided is not None
    return decided


def visible(conn: Connection, appeal_id: str, reader: Principal) -> Appeal:
    """The appeal, if the reader may see its space; 404 otherwise, so ids reveal nothing."""
    appeal = appeals_store.get(conn, appeal_id)
    if appeal is None or not reader.can(Permission.ITEM_READ, appeal.space):
        raise NotFound(f"no appeal {appeal_id!r}")
    return appeal


def _appellant(tx: Tx, filing: Filing, filer: Principal | None) -> tuple[Decision, str]:
    """The contested decision and its author; a wrong code and an unknown decision get the same answer."""
    decision = decisions_store.get(tx.conn, filing.decision_id)
    if filer is None:
        if not filing.appeal_code:
            raise InvalidRequest(
                "appeal_code: required without an API token",
                hint="the statement of reasons you received gives the decision id and its appeal code",
            )
        author = appeals_store.author_with_code(tx.conn, filing.decision_id, appeal_codes.code_hash(filing.appeal_code))
        if decision is None or author is None:
            raise NotFound(NO_MATCH, hint="copy both from the statement of reasons you received")
        return decision, author
    if decision is None or not filer.can(Permission.ITEM_SUBMIT, decision.space):
        raise NotFound(f"no decision {filing.decision_id!r}")
    return decision, _author_named(tx, decision, filing)


def _author_named(tx: Tx, decision: Decision, filing: Filing) -> str:
    authors = appeals_store.authors_of(tx.conn, decision.id)
    if not authors:
        raise Conflict(f"decision {decision.id} restricts nobody: there is nothing to appeal")
    if filing.appeal_code:
        author = appeals_store.author_with_code(tx.conn, decision.id, appeal_codes.code_hash(filing.appeal_code))
        if author is None:
            raise NotFound(NO_MATCH, hint="leave the code out to appeal on the author's behalf")
        return author
    if filing.author in authors or (filing.author is None and len(authors) == 1):
        return filing.author or authors[0]
    raise InvalidRequest(
        f"author: {filing.author or 'missing'}: name the author who appeals, as platform:author id",
        hint=f"decision {decision.id} concerns: {', '.join(authors)}",
        details=[{"loc": "author", "message": "not an author of the decision's items", "valid": authors}],
    )


def _appealable(decision: Decision, tx: Tx, period: timedelta) -> None:
    if decision.status is DecisionStatus.SUPERSEDED:
        raise Conflict(
            f"decision {decision.id} was superseded by {decision.superseded_by}",
            hint="the decision in force is the one to contest",
        )
    assert decision.effective_at is not None  # statements exist only for decisions that took effect
    deadline = decision.effective_at + period
    if tx.now > deadline:
        raise Conflict(
            f"the time to appeal decision {decision.id} ended on {deadline:%Y-%m-%d %H:%M} UTC",
            hint="an out-of-court dispute settlement body (DSA Art. 21) or a court can still hear it",
        )


def _independent(contested: Decision, reviewer: Principal) -> None:
    """Another reviewer than the first decides the appeal (DSA Art. 20): neither of its two reviewers."""
    if contested.reviewer == reviewer.member_id:
        raise Forbidden(
            f"you made decision {contested.id}: a reviewer who took no part in it decides its appeal",
            hint="leave the appeal to another reviewer of the space",
        )
    if contested.second_reviewer == reviewer.member_id:
        raise Forbidden(
            f"you confirmed decision {contested.id} as its second reviewer: "
            "a reviewer who took no part in it decides its appeal",
            hint="leave the appeal to another reviewer of the space",
        )


def _outcome_notice(
    appeal: Appeal, outcome: AppealOutcome, statement: str, new: Decision | None, tx: Tx
) -> outbox.Notification:
    body: dict[str, Any] = {
        "appeal_id": appeal.id,
        "decision_id": appeal.decision_id,
        "outcome": outcome.value,
        "statement": statement,
        "decided_at": tx.now.isoformat(),
        "new_decision": None
        if new is None
        else {"id": new.id, "action": new.action.value, "ground": ground_basis(new.ground)},
        "restored": new is not None and new.action is DecisionAction.ALLOW,
        "redress": {"out_of_court": OUT_OF_COURT, "judicial": JUDICIAL},
    }
    return outbox.Notification("appeal.outcome", "author", appeal.author, appeal.space, appeal.id, body)
