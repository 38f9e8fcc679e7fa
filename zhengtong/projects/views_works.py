# Placeholder views, replaced by the real ones.


def py(request, pk=None):
    raise NotImplementedError


def quantity_create(request, pk=None):
    raise NotImplementedError


def works_detail(request, pk=None):
    raise NotImplementedError


def works_list(request, pk=None):
    raise NotImplementedError
