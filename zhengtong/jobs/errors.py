"""The reasons a job ends failed without raising in its own code (importable by path: the
engine stores the exception's dotted path with the job)."""


class WorkerLost(Exception):
    """The worker running the job stopped beating (killed, or its machine restarted)."""


class JobCancelled(Exception):
    """An administrator cancelled the job before it started."""


LOST_REASON = "工作进程中断(进程被终止或机器重启),可重试"
