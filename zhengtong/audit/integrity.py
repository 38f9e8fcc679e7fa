"""Verify the audit chain row by row, and against the signed checkpoints kept outside it."""

from dataclasses import dataclass, field

from .checkpoints import BadLine, Checkpoint, CheckpointError, read_checkpoints
from .models import Event, PendingEvent
from .sealing import get_keyring, mac_pending, seal

# The order in which problems of one row are listed.
CHECKS = ("key", "key_retired", "order", "content", "link", "checkpoint", "pending")
# Rows that fail their own seal are kept to look for swapped positions; beyond this many the
# pairwise search is skipped (the rows are still reported as changed).
ORDER_SEARCH_LIMIT = 200
# A chain rewritten end to end fails on every row; keep the first ones, count the rest.
MAX_PROBLEMS = 10_000


@dataclass(frozen=True)
class Problem:
    check: str  # one of CHECKS
    event_id: int | None
    message: str


@dataclass
class ChainReport:
    count: int = 0
    head_id: int | None = None
    head_hash: str = ""
    checkpoints: int = 0
    # Public reads not sealed yet (audit.PendingEvent); each is checked against its own MAC.
    pending: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Problems found beyond MAX_PROBLEMS, counted but not kept.
    more: int = 0

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS or problem.check in ("checkpoint", "pending"):
            self.problems.append(problem)
        else:
            self.more += 1

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def broken_ids(self) -> list[int]:
        """Ids of the rows that fail a check, in chain order, each once."""
        ids = [p.event_id for p in self.problems if p.event_id is not None]
        return sorted(dict.fromkeys(ids))

    def sorted_problems(self) -> list[Problem]:
        def key(p: Problem):
            position = p.event_id if p.event_id is not None else float("inf")
            return (position, CHECKS.index(p.check))

        return sorted(self.problems, key=key)


def _changed_message(event_id: int) -> str:
    return (
        f"第 {event_id} 条记录的内容与其校验值不符:记录在系统之外被改动,"
        "或校验值不是用审计密钥计算的。"
    )


def _moved_to(event: Event, key: bytes, position: int) -> bool:
    """True when `event`'s content was sealed at `position` of the chain."""
    original = event.id
    event.id = position
    try:
        return seal(event, key) == event.hash
    finally:
        event.id = original


def _find_swaps(changed: list[tuple[Event, bytes]], report: ChainReport) -> set[int]:
    """Rows whose content is intact but sealed at another position: report them as moved."""
    if len(changed) > ORDER_SEARCH_LIMIT:
        return set()
    moved: dict[int, int] = {}
    for event, key in changed:
        for other, _ in changed:
            if other.id != event.id and _moved_to(event, key, other.id):
                moved[event.id] = other.id
                break
    done: set[int] = set()
    for here, origin in sorted(moved.items()):
        if here in done:
            continue
        if moved.get(origin) == here:
            message = f"第 {here} 条与第 {origin} 条记录的内容被互换:记录的顺序被改动。"
            report.add(Problem("order", here, message))
            report.add(Problem("order", origin, message))
            done |= {here, origin}
        else:
            message = f"第 {here} 条记录的内容原是第 {origin} 条的:记录的顺序被改动。"
            report.add(Problem("order", here, message))
            done.add(here)
    return done


def _check_checkpoints(
    report: ChainReport, checkpoints: list[Checkpoint], seen: dict[int, tuple[str, int]]
) -> None:
    for cp in checkpoints:
        name = f"检查点 {cp.line}({cp.created_at[:19].replace('T', ' ')} UTC"
        name += f",链上共 {cp.count} 条、最后一条为第 {cp.event_id} 条)"
        row = seen.get(cp.event_id)
        if row is None:
            if report.head_id is None or cp.event_id > report.head_id:
                reached = f"第 {report.head_id} 条" if report.head_id is not None else "空链"
                message = (
                    f"{name}之后的记录缺失:现在的链只到{reached}、共 {report.count} 条,"
                    "最新的记录被删除(截断)。"
                )
            else:
                message = f"{name}记录的第 {cp.event_id} 条已不存在:该条被删除。"
            report.add(Problem("checkpoint", None, message))
            continue
        hash_, position = row
        if hash_ != cp.hash:
            report.add(
                Problem(
                    "checkpoint",
                    cp.event_id,
                    f"{name}的第 {cp.event_id} 条校验值与现在不同:该条及其之前的链被重写。",
                )
            )
        elif position != cp.count:
            report.add(
                Problem(
                    "checkpoint",
                    cp.event_id,
                    f"{name}时第 {cp.event_id} 条及之前共 {cp.count} 条,现为 {position} 条:"
                    "其间的记录被删除或插入。",
                )
            )


def _check_pending(report: ChainReport, ring) -> None:
    """Rows still waiting to enter the chain must be exactly as they were inserted."""
    for pending in PendingEvent.objects.order_by("id").iterator(chunk_size=2000):
        report.pending += 1
        key = ring.get(pending.key_id)
        if key is None:
            message = (
                f"待入链记录 {pending.id}(公众查询)的密钥编号「{pending.key_id}」不在密钥环中,"
                "无法校验。"
            )
        elif mac_pending(pending, key) != pending.mac:
            message = (
                f"待入链记录 {pending.id}(公众查询)的内容与其校验值不符:"
                "记录在系统之外被改动,未予入链。"
            )
        else:
            continue
        report.add(Problem("pending", None, message))


def verify_chain_report(*, checkpoints: bool = True) -> ChainReport:
    """Check every row's seal and link, then every checkpoint; list what fails and why."""
    ring = get_keyring()
    report = ChainReport()
    cps: list[Checkpoint] = []
    if checkpoints:
        try:
            cps, bad = read_checkpoints()
        except CheckpointError as exc:
            cps, bad = [], [BadLine(0, str(exc))]
        report.checkpoints = len(cps)
        for line in bad:
            report.add(Problem("checkpoint", None, line.message))
    wanted = {cp.event_id for cp in cps}
    seen: dict[int, tuple[str, int]] = {}
    changed: list[tuple[Event, bytes]] = []
    prev: Event | None = None
    retired: set[str] = set()
    for event in Event.objects.order_by("id").iterator(chunk_size=2000):
        report.count += 1
        key = ring.get(event.key_id)
        if key is None:
            report.add(
                Problem(
                    "key",
                    event.id,
                    f"第 {event.id} 条记录的密钥编号「{event.key_id}」不在密钥环中,无法校验"
                    "(密钥轮换后旧密钥须留在 AUDIT_HMAC_OLD_KEYS 或 AUDIT_HMAC_KEYS_FILE 中)。",
                )
            )
        elif event.key_id in retired:
            report.add(
                Problem(
                    "key_retired",
                    event.id,
                    f"第 {event.id} 条记录用已轮换下来的密钥「{event.key_id}」封存,"
                    "而链在此之前已改用新密钥:该条是伪造的。",
                )
            )
        elif seal(event, key) != event.hash:
            report.add(Problem("content", event.id, _changed_message(event.id)))
            if len(changed) <= ORDER_SEARCH_LIMIT:
                changed.append((event, key))
        if prev is not None and event.key_id != prev.key_id:
            retired.add(prev.key_id)
        expected = prev.hash if prev is not None else ""
        if event.prev_hash != expected:
            if prev is None:
                message = f"第 {event.id} 条是链上第一条,却指向一条前驱记录:之前的记录被删除。"
            else:
                message = (
                    f"第 {event.id} 条记录与前一条(第 {prev.id} 条)的链接断开:"
                    "其间的记录被删除、插入或改动。"
                )
            report.add(Problem("link", event.id, message))
        if event.id in wanted:
            seen[event.id] = (event.hash, report.count)
        prev = event
    if prev is not None:
        report.head_id, report.head_hash = prev.id, prev.hash
    moved = _find_swaps(changed, report)
    if moved:
        report.problems = [
            p for p in report.problems if not (p.check == "content" and p.event_id in moved)
        ]
    _check_checkpoints(report, cps, seen)
    _check_pending(report, ring)
    report.problems = report.sorted_problems()
    return report
