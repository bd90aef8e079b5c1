from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from village.api import api
from village.core.views import favicon

admin.site.site_header = "Village administration"
admin.site.site_title = "Village"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("village.community.urls")),
    path("accounts/", include("village.accounts.urls")),
    path("families/", include("village.onboarding.urls")),
    path("work/", include("village.classwork.urls")),
    path("conferences/", include("village.conferences.urls")),
    path("goals/", include("village.goals.urls")),
    path("support/", include("village.support.urls")),
    path("family/", include("village.families.urls")),
    path("family/", include("village.calendar.urls")),
    path("roster/", include("village.rostering.urls")),
    path("notifications/", include("village.notifications.urls")),
    path("messages/", include("village.messaging.urls")),
    path("announcements/", include("village.announcements.urls")),
    path("translation/", include("village.translation.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
