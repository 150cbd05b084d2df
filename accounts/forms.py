from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from accounts.access import team_member_candidates
from accounts.models import Organisation, Team, User
from accounts.reconfirm import ConfirmPasswordMixin, code_field, code_refused, password_confirmed
from accounts.roles import Role

# The re-confirmation's fields (accounts.reconfirm), shown last.
CONFIRMATION = ("confirm_password", "confirm_code")


class LoginForm(AuthenticationForm):
    """Django's login form: one message for an unknown user and a wrong password alike."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password change, with the old password checked as every re-confirmation is,
    and, for whoever has a confirmed authenticator app, a code from it (or a backup code).

    The page is reached from inside a session, where django-axes does not look: a stolen session
    could otherwise try old passwords here without limit. Each try is an access-log row and
    the limit ends the session (accounts.reconfirm.password_confirmed); codes are counted and
    limited apart, as at every re-confirmation (accounts.reconfirm.code_refused).
    """

    def __init__(self, user, *args, request=None, **kwargs):
        from accounts import second_factor

        super().__init__(user, *args, **kwargs)
        self.request = request
        if second_factor.has_device(user):
            self.fields["confirm_code"] = code_field()
            self.order_fields(["old_password", "confirm_code", "new_password1", "new_password2"])

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not password_confirmed(self.user, old_password, request=self.request):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        # The code right after a right password, as at every re-confirmation: after a wrong
        # password it stays unspent and uncounted. An empty code: the field's "required" error.
        if "confirm_code" in self.fields:
            code = str(self.data.get(self.add_prefix("confirm_code"), "")).strip()
            error = code_refused(self.user, code, request=self.request) if code else None
            if error:
                self.add_error("confirm_code", error)
        return old_password


class StaffForm(ConfirmPasswordMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Surname"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.filter(is_active=True)
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, actor: User, roles: list[str], **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["role"].choices = [(code, Role(code).label) for code in roles]
        # A manager works within their own organisation.
        if not actor.has_role(Role.ADMINISTRATOR):
            self.fields["organisation"].queryset = Organisation.objects.filter(
                pk=actor.organisation_id
            )
        # The confirmation comes last on the page.
        self.order_fields(
            [name for name in self.fields if name not in CONFIRMATION]
            + [name for name in CONFIRMATION if name in self.fields]
        )


class StaffCreateForm(StaffForm):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Use letters, digits and . @ + - _ only.")},
    )
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(
            [
                "username",
                "first_name",
                "last_name",
                "email",
                "organisation",
                "role",
                "password",
                "confirm_password",
                "confirm_code",
            ]
        )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username


class ConfirmForm(ConfirmPasswordMixin, forms.Form):
    """A bare confirmation (deactivate, reactivate)."""


class DeactivateForm(ConfirmPasswordMixin, forms.Form):
    """Deactivate an account; who takes over its files when it still holds any.

    The choices are limited to the account's organisation (a forged id is refused here); the
    service checks them again and refuses a deactivation that would leave files without a holder.
    """

    successor = forms.ModelChoiceField(
        label=_("Who takes over the files"), queryset=User.objects.none(), required=False
    )
    team = forms.ModelChoiceField(
        label=_("With the team (optional)"), queryset=Team.objects.none(), required=False
    )

    def __init__(self, *args, target: User, holds: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not holds:
            del self.fields["successor"], self.fields["team"]
            return
        self.fields["successor"].queryset = (
            User.objects.of_organisation(target.organisation_id)
            .filter(is_active=True)
            .with_role(Role.SOCIAL_WORKER)
            .exclude(pk=target.pk)
            .order_by("last_name", "first_name", "username")
        )
        self.fields["team"].queryset = Team.objects.of_organisation(
            target.organisation_id
        ).order_by("name")


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)

    def __init__(self, *args, organisation_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if Team.objects.of_organisation(self.organisation_id).filter(name__iexact=name).exists():
            raise forms.ValidationError(_("Your organisation already has a team of this name."))
        return name


class TeamMemberForm(ConfirmPasswordMixin, forms.Form):
    """Add a member: the choice is limited to who may join, so a forged id is refused here.

    A new member reaches every file of the team, so the manager confirms with their password.
    """

    user = forms.ModelChoiceField(label=_("Social worker"), queryset=User.objects.none())

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = team_member_candidates(team).exclude(groups=team.group)


class SecondFactorCodeForm(forms.Form):
    """A code from the authenticator app, or a backup code (checked by accounts.second_factor)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )


class OrganisationSecondFactorForm(ConfirmPasswordMixin, forms.Form):
    """Whether everyone of the organisation signs in with a second factor."""

    requires_second_factor = forms.BooleanField(
        label=_("Everyone of this organisation signs in with a second factor"),
        required=False,
    )
