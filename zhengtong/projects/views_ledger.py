# Placeholder views, replaced by the real ones.


def ledger_export(request, pk=None):
    raise NotImplementedError


def ledger_import(request, pk=None):
    raise NotImplementedError


def py(request, pk=None):
    raise NotImplementedError
