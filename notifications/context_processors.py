def scheduler_status(request):
    """Filled by issue 3: the last overdue scan, for the admin's home page."""
    return {}
