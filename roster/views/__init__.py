from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import selectors


@login_required
def home(request):
    context = selectors.home_summary(request.user)
    return render(request, f"roster/home_{request.user.role}.html", context)
