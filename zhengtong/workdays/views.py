def year_list(request):
    raise NotImplementedError
