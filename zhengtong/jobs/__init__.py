"""The job engine: background work through the Django tasks API (django-tasks) and its
database backend (django-tasks-db).

- A task is a plain function in an app's `tasks.py`, decorated with `zhengtong.jobs.registry.task`
  and a Chinese name (`@task("升级超期问题")`); `registry.py` keeps the names.
- A module starts background work through one door, `zhengtong.jobs.enqueue.enqueue_on_commit`:
  the job is queued when the surrounding transaction commits, so a rolled-back change queues
  nothing.
- `python manage.py worker` runs the jobs, the periodic schedule (`schedule.py`) and the reaper
  of jobs cut off by a dead worker (`reaper.py`); `/jobs/` shows them to the administrator.
"""
