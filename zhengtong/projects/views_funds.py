# Placeholder views, replaced by the real ones.


def allocation_create(request, pk=None):
    raise NotImplementedError


def disbursement_create(request, pk=None):
    raise NotImplementedError


def fund_detail(request, pk=None):
    raise NotImplementedError


def fund_list(request, pk=None):
    raise NotImplementedError


def py(request, pk=None):
    raise NotImplementedError
