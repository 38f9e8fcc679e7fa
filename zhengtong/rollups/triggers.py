"""The database triggers that keep the summary tables in step with their rows.

A row's contribution (see `models.py`) is added when it is inserted, taken away when it is
deleted, and moved when an update changes what it counts for: in the same statement, so in
the same transaction as the write, whoever makes it. On PostgreSQL each contribution is one
`INSERT … ON CONFLICT DO UPDATE` adding ±1 (row locks serialise concurrent writers of the
same unit and day); the day tables are written before the month tables in every trigger, so
two writers never wait on each other in opposite orders. SQLite has one writer at a time.

Days and months are Asia/Shanghai's (UTC+8 all year since 1991).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

SHANGHAI = ZoneInfo("Asia/Shanghai")
COUNTED = "('approved', 'refused')"

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION rollups_case_apply(
    p_unit bigint, p_item bigint, p_received timestamptz, p_status text, p_finished timestamptz,
    p_due date, p_sign integer, p_with_received boolean, p_with_finished boolean
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    rday date := (p_received AT TIME ZONE 'Asia/Shanghai')::date;
    fday date := (p_finished AT TIME ZONE 'Asia/Shanghai')::date;
    counted boolean := p_with_finished AND p_status IN {COUNTED} AND p_finished IS NOT NULL;
    ontime integer := 0;
BEGIN
    IF counted AND (p_due IS NULL OR fday <= p_due) THEN
        ontime := p_sign;
    END IF;
    IF p_sign < 0 THEN
        -- A row taken away was counted before; a table emptied meanwhile stays empty.
        IF p_with_received THEN
            UPDATE rollups_caseday SET received = received - 1
            WHERE org_unit_id = p_unit AND day = rday;
        END IF;
        IF counted THEN
            UPDATE rollups_caseday SET finished = finished - 1, on_time = on_time + ontime
            WHERE org_unit_id = p_unit AND day = fday;
        END IF;
        IF p_with_received THEN
            UPDATE rollups_casemonth SET received = received - 1
            WHERE org_unit_id = p_unit AND month = date_trunc('month', rday)::date;
        END IF;
        IF counted THEN
            UPDATE rollups_casemonth SET finished = finished - 1, on_time = on_time + ontime
            WHERE org_unit_id = p_unit AND month = date_trunc('month', fday)::date;
        END IF;
        IF p_with_received THEN
            UPDATE rollups_caseitemmonth SET received = received - 1
            WHERE org_unit_id = p_unit AND item_id = p_item
              AND month = date_trunc('month', rday)::date;
        END IF;
        IF counted THEN
            UPDATE rollups_caseitemmonth SET finished = finished - 1, on_time = on_time + ontime
            WHERE org_unit_id = p_unit AND item_id = p_item
              AND month = date_trunc('month', fday)::date;
        END IF;
        RETURN;
    END IF;
    IF p_with_received THEN
        INSERT INTO rollups_caseday (org_unit_id, day, received, finished, on_time)
        VALUES (p_unit, rday, 1, 0, 0)
        ON CONFLICT (org_unit_id, day)
        DO UPDATE SET received = rollups_caseday.received + EXCLUDED.received;
    END IF;
    IF counted THEN
        INSERT INTO rollups_caseday (org_unit_id, day, received, finished, on_time)
        VALUES (p_unit, fday, 0, 1, ontime)
        ON CONFLICT (org_unit_id, day)
        DO UPDATE SET finished = rollups_caseday.finished + EXCLUDED.finished,
                      on_time = rollups_caseday.on_time + EXCLUDED.on_time;
    END IF;
    IF p_with_received THEN
        INSERT INTO rollups_casemonth (org_unit_id, month, received, finished, on_time)
        VALUES (p_unit, date_trunc('month', rday)::date, 1, 0, 0)
        ON CONFLICT (org_unit_id, month)
        DO UPDATE SET received = rollups_casemonth.received + EXCLUDED.received;
    END IF;
    IF counted THEN
        INSERT INTO rollups_casemonth (org_unit_id, month, received, finished, on_time)
        VALUES (p_unit, date_trunc('month', fday)::date, 0, 1, ontime)
        ON CONFLICT (org_unit_id, month)
        DO UPDATE SET finished = rollups_casemonth.finished + EXCLUDED.finished,
                      on_time = rollups_casemonth.on_time + EXCLUDED.on_time;
    END IF;
    IF p_with_received THEN
        INSERT INTO rollups_caseitemmonth (org_unit_id, item_id, month, received, finished, on_time)
        VALUES (p_unit, p_item, date_trunc('month', rday)::date, 1, 0, 0)
        ON CONFLICT (org_unit_id, item_id, month)
        DO UPDATE SET received = rollups_caseitemmonth.received + EXCLUDED.received;
    END IF;
    IF counted THEN
        INSERT INTO rollups_caseitemmonth (org_unit_id, item_id, month, received, finished, on_time)
        VALUES (p_unit, p_item, date_trunc('month', fday)::date, 0, 1, ontime)
        ON CONFLICT (org_unit_id, item_id, month)
        DO UPDATE SET finished = rollups_caseitemmonth.finished + EXCLUDED.finished,
                      on_time = rollups_caseitemmonth.on_time + EXCLUDED.on_time;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION rollups_case_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    same_key boolean;
    same_received boolean := false;
    same_finished boolean := false;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        same_key := OLD.org_unit_id = NEW.org_unit_id AND OLD.item_id = NEW.item_id;
        same_received := same_key AND OLD.received_at = NEW.received_at;
        same_finished := same_key
            AND (OLD.status IN {COUNTED}) = (NEW.status IN {COUNTED})
            AND OLD.finished_at IS NOT DISTINCT FROM NEW.finished_at
            AND OLD.due_on IS NOT DISTINCT FROM NEW.due_on;
        IF same_received AND same_finished THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM rollups_case_apply(OLD.org_unit_id, OLD.item_id, OLD.received_at, OLD.status,
            OLD.finished_at, OLD.due_on, -1, NOT same_received, NOT same_finished);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM rollups_case_apply(NEW.org_unit_id, NEW.item_id, NEW.received_at, NEW.status,
            NEW.finished_at, NEW.due_on, 1, NOT same_received, NOT same_finished);
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS rollups_case ON services_application;
CREATE TRIGGER rollups_case
AFTER INSERT OR DELETE OR UPDATE OF org_unit_id, item_id, received_at, status, finished_at, due_on
ON services_application FOR EACH ROW EXECUTE FUNCTION rollups_case_trigger();

CREATE OR REPLACE FUNCTION rollups_followup_apply(
    p_plan bigint, p_due date, p_status text, p_sign integer
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_unit bigint;
    v_done integer := CASE WHEN p_status = 'done' THEN p_sign ELSE 0 END;
BEGIN
    SELECT org_unit_id INTO v_unit FROM population_followupplan WHERE id = p_plan;
    IF v_unit IS NULL THEN
        RETURN;
    END IF;
    IF p_sign < 0 THEN
        UPDATE rollups_followupday SET due = due - 1, done = done + v_done
        WHERE org_unit_id = v_unit AND day = p_due;
        UPDATE rollups_followupmonth SET due = due - 1, done = done + v_done
        WHERE org_unit_id = v_unit AND month = date_trunc('month', p_due)::date;
        RETURN;
    END IF;
    INSERT INTO rollups_followupday (org_unit_id, day, due, done)
    VALUES (v_unit, p_due, 1, v_done)
    ON CONFLICT (org_unit_id, day)
    DO UPDATE SET due = rollups_followupday.due + EXCLUDED.due,
                  done = rollups_followupday.done + EXCLUDED.done;
    INSERT INTO rollups_followupmonth (org_unit_id, month, due, done)
    VALUES (v_unit, date_trunc('month', p_due)::date, 1, v_done)
    ON CONFLICT (org_unit_id, month)
    DO UPDATE SET due = rollups_followupmonth.due + EXCLUDED.due,
                  done = rollups_followupmonth.done + EXCLUDED.done;
END $$;

CREATE OR REPLACE FUNCTION rollups_followup_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.plan_id = NEW.plan_id AND OLD.due_on = NEW.due_on
        AND (OLD.status = 'done') = (NEW.status = 'done') THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM rollups_followup_apply(OLD.plan_id, OLD.due_on, OLD.status, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM rollups_followup_apply(NEW.plan_id, NEW.due_on, NEW.status, 1);
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS rollups_followup ON population_followup;
CREATE TRIGGER rollups_followup
AFTER INSERT OR DELETE OR UPDATE OF plan_id, due_on, status
ON population_followup FOR EACH ROW EXECUTE FUNCTION rollups_followup_trigger();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS rollups_case ON services_application;
DROP TRIGGER IF EXISTS rollups_followup ON population_followup;
DROP FUNCTION IF EXISTS rollups_case_trigger();
DROP FUNCTION IF EXISTS rollups_case_apply(
    bigint, bigint, timestamptz, text, timestamptz, date, integer, boolean, boolean);
DROP FUNCTION IF EXISTS rollups_followup_trigger();
DROP FUNCTION IF EXISTS rollups_followup_apply(bigint, date, text, integer);
"""


# SQLite keeps aware datetimes as UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]" and dates as
# "YYYY-MM-DD", so a local day is date(x, '+8 hours') and dates compare as text.
def _sqlite_case(row: str, sign: str) -> str:
    rday = f"date({row}.received_at, '+8 hours')"
    fday = f"date({row}.finished_at, '+8 hours')"
    rmonth = f"strftime('%Y-%m-01', {row}.received_at, '+8 hours')"
    fmonth = f"strftime('%Y-%m-01', {row}.finished_at, '+8 hours')"
    counted = f"{row}.status IN {COUNTED} AND {row}.finished_at IS NOT NULL"
    ontime = f"(CASE WHEN {row}.due_on IS NULL OR {fday} <= {row}.due_on THEN {sign} ELSE 0 END)"
    return f"""
    INSERT INTO rollups_caseday (org_unit_id, day, received, finished, on_time)
    SELECT {row}.org_unit_id, {rday}, {sign}, 0, 0 WHERE true
    ON CONFLICT (org_unit_id, day) DO UPDATE SET received = received + excluded.received;
    INSERT INTO rollups_caseday (org_unit_id, day, received, finished, on_time)
    SELECT {row}.org_unit_id, {fday}, 0, {sign}, {ontime} WHERE {counted}
    ON CONFLICT (org_unit_id, day) DO UPDATE SET
        finished = finished + excluded.finished, on_time = on_time + excluded.on_time;
    INSERT INTO rollups_casemonth (org_unit_id, month, received, finished, on_time)
    SELECT {row}.org_unit_id, {rmonth}, {sign}, 0, 0 WHERE true
    ON CONFLICT (org_unit_id, month) DO UPDATE SET received = received + excluded.received;
    INSERT INTO rollups_casemonth (org_unit_id, month, received, finished, on_time)
    SELECT {row}.org_unit_id, {fmonth}, 0, {sign}, {ontime} WHERE {counted}
    ON CONFLICT (org_unit_id, month) DO UPDATE SET
        finished = finished + excluded.finished, on_time = on_time + excluded.on_time;
    INSERT INTO rollups_caseitemmonth (org_unit_id, item_id, month, received, finished, on_time)
    SELECT {row}.org_unit_id, {row}.item_id, {rmonth}, {sign}, 0, 0 WHERE true
    ON CONFLICT (org_unit_id, item_id, month) DO UPDATE SET received = received + excluded.received;
    INSERT INTO rollups_caseitemmonth (org_unit_id, item_id, month, received, finished, on_time)
    SELECT {row}.org_unit_id, {row}.item_id, {fmonth}, 0, {sign}, {ontime} WHERE {counted}
    ON CONFLICT (org_unit_id, item_id, month) DO UPDATE SET
        finished = finished + excluded.finished, on_time = on_time + excluded.on_time;
    """


def _sqlite_followup(row: str, sign: str) -> str:
    unit = f"(SELECT org_unit_id FROM population_followupplan WHERE id = {row}.plan_id)"
    done = f"(CASE WHEN {row}.status = 'done' THEN {sign} ELSE 0 END)"
    month = f"strftime('%Y-%m-01', {row}.due_on)"
    return f"""
    INSERT INTO rollups_followupday (org_unit_id, day, due, done)
    SELECT {unit}, {row}.due_on, {sign}, {done} WHERE {unit} IS NOT NULL
    ON CONFLICT (org_unit_id, day) DO UPDATE SET
        due = due + excluded.due, done = done + excluded.done;
    INSERT INTO rollups_followupmonth (org_unit_id, month, due, done)
    SELECT {unit}, {month}, {sign}, {done} WHERE {unit} IS NOT NULL
    ON CONFLICT (org_unit_id, month) DO UPDATE SET
        due = due + excluded.due, done = done + excluded.done;
    """


def _sqlite_case_off(row: str) -> str:
    rday = f"date({row}.received_at, '+8 hours')"
    fday = f"date({row}.finished_at, '+8 hours')"
    rmonth = f"strftime('%Y-%m-01', {row}.received_at, '+8 hours')"
    fmonth = f"strftime('%Y-%m-01', {row}.finished_at, '+8 hours')"
    counted = f"{row}.status IN {COUNTED} AND {row}.finished_at IS NOT NULL"
    ontime = f"(CASE WHEN {row}.due_on IS NULL OR {fday} <= {row}.due_on THEN 1 ELSE 0 END)"
    return f"""
    UPDATE rollups_caseday SET received = received - 1
    WHERE org_unit_id = {row}.org_unit_id AND day = {rday};
    UPDATE rollups_caseday SET finished = finished - 1, on_time = on_time - {ontime}
    WHERE org_unit_id = {row}.org_unit_id AND day = {fday} AND {counted};
    UPDATE rollups_casemonth SET received = received - 1
    WHERE org_unit_id = {row}.org_unit_id AND month = {rmonth};
    UPDATE rollups_casemonth SET finished = finished - 1, on_time = on_time - {ontime}
    WHERE org_unit_id = {row}.org_unit_id AND month = {fmonth} AND {counted};
    UPDATE rollups_caseitemmonth SET received = received - 1
    WHERE org_unit_id = {row}.org_unit_id AND item_id = {row}.item_id AND month = {rmonth};
    UPDATE rollups_caseitemmonth SET finished = finished - 1, on_time = on_time - {ontime}
    WHERE org_unit_id = {row}.org_unit_id AND item_id = {row}.item_id AND month = {fmonth}
      AND {counted};
    """


def _sqlite_followup_off(row: str) -> str:
    unit = f"(SELECT org_unit_id FROM population_followupplan WHERE id = {row}.plan_id)"
    done = f"(CASE WHEN {row}.status = 'done' THEN 1 ELSE 0 END)"
    return f"""
    UPDATE rollups_followupday SET due = due - 1, done = done - {done}
    WHERE org_unit_id = {unit} AND day = {row}.due_on;
    UPDATE rollups_followupmonth SET due = due - 1, done = done - {done}
    WHERE org_unit_id = {unit} AND month = strftime('%Y-%m-01', {row}.due_on);
    """


CASE_COLUMNS = "org_unit_id, item_id, received_at, status, finished_at, due_on"
SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS rollups_case_insert AFTER INSERT ON services_application
    BEGIN {_sqlite_case("NEW", "1")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS rollups_case_delete AFTER DELETE ON services_application
    BEGIN {_sqlite_case_off("OLD")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS rollups_case_update
    AFTER UPDATE OF {CASE_COLUMNS} ON services_application
    BEGIN {_sqlite_case_off("OLD")} {_sqlite_case("NEW", "1")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS rollups_followup_insert AFTER INSERT ON population_followup
    BEGIN {_sqlite_followup("NEW", "1")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS rollups_followup_delete AFTER DELETE ON population_followup
    BEGIN {_sqlite_followup_off("OLD")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS rollups_followup_update
    AFTER UPDATE OF plan_id, due_on, status ON population_followup
    BEGIN {_sqlite_followup_off("OLD")} {_sqlite_followup("NEW", "1")} END""",
]
SQLITE_NAMES = [
    "rollups_case_insert",
    "rollups_case_delete",
    "rollups_case_update",
    "rollups_followup_insert",
    "rollups_followup_delete",
    "rollups_followup_update",
]


# 月冠军's table (migration 0003): a trigger of its own, named after `rollups_case` so that
# PostgreSQL fires it second and every writer takes the tables' row locks in the same order.
HANDLER_POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION rollups_case_handler_apply(
    p_unit bigint, p_handler bigint, p_status text, p_finished timestamptz, p_due date,
    p_sign integer
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    fday date := (p_finished AT TIME ZONE 'Asia/Shanghai')::date;
    ontime integer := 0;
BEGIN
    IF p_handler IS NULL OR p_finished IS NULL OR p_status NOT IN {COUNTED} THEN
        RETURN;
    END IF;
    IF p_due IS NULL OR fday <= p_due THEN
        ontime := p_sign;
    END IF;
    IF p_sign < 0 THEN
        UPDATE rollups_casehandlermonth SET finished = finished - 1, on_time = on_time + ontime
        WHERE org_unit_id = p_unit AND handler_id = p_handler
          AND month = date_trunc('month', fday)::date;
        RETURN;
    END IF;
    INSERT INTO rollups_casehandlermonth (org_unit_id, handler_id, month, finished, on_time)
    VALUES (p_unit, p_handler, date_trunc('month', fday)::date, 1, ontime)
    ON CONFLICT (org_unit_id, handler_id, month)
    DO UPDATE SET finished = rollups_casehandlermonth.finished + EXCLUDED.finished,
                  on_time = rollups_casehandlermonth.on_time + EXCLUDED.on_time;
END $$;

CREATE OR REPLACE FUNCTION rollups_case_handler_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.org_unit_id = NEW.org_unit_id
        AND OLD.handler_id IS NOT DISTINCT FROM NEW.handler_id
        AND (OLD.status IN {COUNTED}) = (NEW.status IN {COUNTED})
        AND OLD.finished_at IS NOT DISTINCT FROM NEW.finished_at
        AND OLD.due_on IS NOT DISTINCT FROM NEW.due_on THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM rollups_case_handler_apply(OLD.org_unit_id, OLD.handler_id, OLD.status,
            OLD.finished_at, OLD.due_on, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM rollups_case_handler_apply(NEW.org_unit_id, NEW.handler_id, NEW.status,
            NEW.finished_at, NEW.due_on, 1);
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS rollups_case_handler ON services_application;
CREATE TRIGGER rollups_case_handler
AFTER INSERT OR DELETE OR UPDATE OF org_unit_id, handler_id, status, finished_at, due_on
ON services_application FOR EACH ROW EXECUTE FUNCTION rollups_case_handler_trigger();
"""

HANDLER_POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS rollups_case_handler ON services_application;
DROP FUNCTION IF EXISTS rollups_case_handler_trigger();
DROP FUNCTION IF EXISTS rollups_case_handler_apply(
    bigint, bigint, text, timestamptz, date, integer);
"""


def _sqlite_handler(row: str, on: bool) -> str:
    fday = f"date({row}.finished_at, '+8 hours')"
    fmonth = f"strftime('%Y-%m-01', {row}.finished_at, '+8 hours')"
    counted = (
        f"{row}.handler_id IS NOT NULL AND {row}.status IN {COUNTED}"
        f" AND {row}.finished_at IS NOT NULL"
    )
    ontime = f"(CASE WHEN {row}.due_on IS NULL OR {fday} <= {row}.due_on THEN 1 ELSE 0 END)"
    if on:
        return f"""
    INSERT INTO rollups_casehandlermonth (org_unit_id, handler_id, month, finished, on_time)
    SELECT {row}.org_unit_id, {row}.handler_id, {fmonth}, 1, {ontime} WHERE {counted}
    ON CONFLICT (org_unit_id, handler_id, month) DO UPDATE SET
        finished = finished + excluded.finished, on_time = on_time + excluded.on_time;
    """
    return f"""
    UPDATE rollups_casehandlermonth SET finished = finished - 1, on_time = on_time - {ontime}
    WHERE org_unit_id = {row}.org_unit_id AND handler_id = {row}.handler_id
      AND month = {fmonth} AND {counted};
    """


HANDLER_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS rollups_case_handler_insert
    AFTER INSERT ON services_application
    BEGIN {_sqlite_handler("NEW", on=True)} END""",
    f"""CREATE TRIGGER IF NOT EXISTS rollups_case_handler_delete
    AFTER DELETE ON services_application
    BEGIN {_sqlite_handler("OLD", on=False)} END""",
    f"""CREATE TRIGGER IF NOT EXISTS rollups_case_handler_update
    AFTER UPDATE OF org_unit_id, handler_id, status, finished_at, due_on ON services_application
    BEGIN {_sqlite_handler("OLD", on=False)} {_sqlite_handler("NEW", on=True)} END""",
]
HANDLER_SQLITE_NAMES = [
    "rollups_case_handler_insert",
    "rollups_case_handler_delete",
    "rollups_case_handler_update",
]


def install_handler(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """The trigger of 月冠军's table (migration 0003)."""
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(HANDLER_POSTGRESQL_DROP)
            cursor.execute(HANDLER_POSTGRESQL)
        elif vendor == "sqlite":
            for statement in HANDLER_SQLITE:
                cursor.execute(statement)
        else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
            raise NotImplementedError(vendor)


def uninstall_handler(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(HANDLER_POSTGRESQL_DROP)
        elif vendor == "sqlite":
            for name in HANDLER_SQLITE_NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(POSTGRESQL_DROP)
            cursor.execute(POSTGRESQL)
        elif vendor == "sqlite":
            for statement in SQLITE:
                cursor.execute(statement)
        else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
            raise NotImplementedError(vendor)


def uninstall(schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(POSTGRESQL_DROP)
        elif vendor == "sqlite":
            for name in SQLITE_NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


@contextmanager
def paused(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """A bulk load without the per-row triggers, the tables counted again at its end.

    For a loader that writes millions of rows in one transaction (`generate_city`): the
    triggers are switched off for the load and back on after it, then `rebuild()` counts the
    tables from the records, all inside the caller's transaction."""
    from .rebuild import rebuild

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred check: run the pending ones now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("ALTER TABLE services_application DISABLE TRIGGER rollups_case")
            cursor.execute("ALTER TABLE services_application DISABLE TRIGGER rollups_case_handler")
            cursor.execute("ALTER TABLE population_followup DISABLE TRIGGER rollups_followup")
        else:
            for name in SQLITE_NAMES + HANDLER_SQLITE_NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                cursor.execute("ALTER TABLE services_application ENABLE TRIGGER rollups_case")
                cursor.execute(
                    "ALTER TABLE services_application ENABLE TRIGGER rollups_case_handler"
                )
                cursor.execute("ALTER TABLE population_followup ENABLE TRIGGER rollups_followup")
            else:
                for statement in SQLITE + HANDLER_SQLITE:
                    cursor.execute(statement)
    rebuild(using=connection.alias)
