# Placeholder views, replaced by the real ones.


def cockpit(request, pk=None):
    raise NotImplementedError


def cockpit_data(request, pk=None):
    raise NotImplementedError


def py(request, pk=None):
    raise NotImplementedError
