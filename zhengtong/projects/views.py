# Placeholder views, replaced by the real ones.


def milestone_edit(request, pk=None):
    raise NotImplementedError


def my_projects(request, pk=None):
    raise NotImplementedError


def problem_create(request, pk=None):
    raise NotImplementedError


def problem_detail(request, pk=None):
    raise NotImplementedError


def problem_list(request, pk=None):
    raise NotImplementedError


def problem_resolve(request, pk=None):
    raise NotImplementedError


def project_create(request, pk=None):
    raise NotImplementedError


def project_detail(request, pk=None):
    raise NotImplementedError


def project_edit(request, pk=None):
    raise NotImplementedError


def project_history(request, pk=None):
    raise NotImplementedError


def project_leaders(request, pk=None):
    raise NotImplementedError


def project_list(request, pk=None):
    raise NotImplementedError


def project_stage(request, pk=None):
    raise NotImplementedError


def py(request, pk=None):
    raise NotImplementedError


def report_create(request, pk=None):
    raise NotImplementedError
