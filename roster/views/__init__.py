from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..dashboard import home_summary


@login_required
def home(request):
    context = home_summary(request.user)
    return render(request, f"roster/home_{request.user.role}.html", context)
