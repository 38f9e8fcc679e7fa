def event_list(request):
    raise NotImplementedError


def event_detail(request, pk):
    raise NotImplementedError
