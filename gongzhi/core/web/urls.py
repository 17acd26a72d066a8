"""Mounted first in gongzhi/urls.py: the sign-in here replaces Django's stock views."""

from django.urls import include, path

from gongzhi.core.web import account_views, audit_views, auth_views

security_patterns = (
    [
        path("second-factor/", auth_views.totp_verify, name="totp_verify"),
        path("second-factor/setup/", auth_views.totp_setup, name="totp_setup"),
        path("password/", auth_views.password_change, name="password_change"),
        path("security/", auth_views.my_security, name="mine"),
    ],
    "security",
)

account_patterns = (
    [
        path("", account_views.account_list, name="list"),
        path("new/", account_views.account_create, name="create"),
        path("<int:pk>/", account_views.account_detail, name="detail"),
        path("<int:pk>/active/", account_views.account_set_active, name="set_active"),
        path("<int:pk>/password/", account_views.account_reset_password, name="reset_password"),
        path("<int:pk>/second-factor/", account_views.account_reset_totp, name="reset_totp"),
        path("<int:pk>/roles/", account_views.account_grant, name="grant"),
        path("<int:pk>/roles/<int:membership_id>/revoke/", account_views.account_revoke, name="revoke"),
    ],
    "accounts",
)

audit_patterns = (
    [
        path("", audit_views.audit_list, name="list"),
        path("<int:pk>/", audit_views.audit_detail, name="detail"),
    ],
    "audit",
)

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The admin's own login would skip the lock-out and the second factor: send it to ours.
    path("admin/login/", auth_views.admin_login, name="admin-login-redirect"),
    path("accounts/manage/", include(account_patterns)),
    path("accounts/", include(security_patterns)),
    path("audit/", include(audit_patterns)),
]
