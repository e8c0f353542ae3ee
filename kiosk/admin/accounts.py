"""Accounts, for administrators: add one, reset a password (which signs that account out everywhere),
change a role, remove one; every change audited (kiosk.accounts.users), and never leaving the kiosk
without an administrator. Any curator changes their own password here too. The command line stays for
the first administrator (`flask --app kiosk users create NAME --role admin`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from ..accounts import users
from ..extensions import db
from ..models import Role, User
from .auth import admin_required
from .blueprint import bp
from .forms import AccountForm, AdminForm, NewPasswordForm, OwnPasswordForm, RoleForm, add_error


def _refused(form: AdminForm, error: users.AccountError) -> int:
    """Show a refused account change at its field, or above the form; the status to answer with."""
    db.session.rollback()
    if error.field and error.field in form:
        add_error(form[error.field], str(error))
        return 422
    flash(str(error), "error")
    return 409


def _account(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/accounts")
@admin_required
def account_list():
    return render_template("admin/accounts.html", users=users.list_users())


@bp.route("/accounts/new", methods=["GET", "POST"])
@admin_required
def new_account():
    form = AccountForm()
    status = 200
    if form.validate_on_submit():
        role = Role(form.role.data or Role.EDITOR.value)
        try:
            user = users.create_user(form.username.data or "", form.password.data or "", role)
            db.session.commit()
        except users.AccountError as error:
            status = _refused(form, error)
        else:
            flash(
                _(
                    "Added the account %(name)s. Give them their username and password in person; they can "
                    "change the password once signed in.",
                    name=user.username,
                ),
                "success",
            )
            return redirect(url_for("admin.account_list"))
    elif form.is_submitted():
        status = 422
    return render_template("admin/account_new.html", form=form), status


def _account_page(user: User, role_form: RoleForm, password_form: NewPasswordForm, status: int = 200):
    page = render_template(
        "admin/account.html",
        user=user,
        role_form=role_form,
        password_form=password_form,
        yourself=user.id == current_user.id,
    )
    return page, status


@bp.get("/accounts/<id:user_id>")
@admin_required
def account(user_id: int):
    user = _account(user_id)
    return _account_page(user, RoleForm(role=user.role.value), NewPasswordForm(formdata=None))


@bp.post("/accounts/<id:user_id>/role")
@admin_required
def account_role(user_id: int):
    user = _account(user_id)
    form = RoleForm()
    if not form.validate() or form.role.data not in {role.value for role in Role}:
        add_error(form.role, _("Choose a role."))
        return _account_page(user, form, NewPasswordForm(formdata=None), 422)
    try:
        changed = users.change_role(user, Role(form.role.data))
        db.session.commit()
    except users.AccountError as error:
        status = _refused(form, error)
        return _account_page(
            _account(user_id),
            RoleForm(role=_account(user_id).role.value),
            NewPasswordForm(formdata=None),
            status,
        )
    if not changed:
        flash(_("%(name)s has that role already.", name=user.username), "info")
    elif user.is_admin:
        flash(_("%(name)s is an administrator now.", name=user.username), "success")
    else:
        flash(_("%(name)s is an editor now.", name=user.username), "success")
    if user.id == current_user.id and not user.is_admin:
        return redirect(url_for("admin.event_list"))  # the accounts are no longer theirs to manage
    return redirect(url_for("admin.account", user_id=user.id))


@bp.post("/accounts/<id:user_id>/password")
@admin_required
def account_password(user_id: int):
    user = _account(user_id)
    form = NewPasswordForm()
    if form.validate():
        try:
            users.set_password(user.username, form.password.data or "")
            db.session.commit()
        except users.AccountError as error:
            return _account_page(user, RoleForm(role=user.role.value), form, _refused(form, error))
        if user.id == current_user.id:
            _stay_signed_in(user)
        flash(
            _(
                "New password set for %(name)s; every session of theirs has ended. Give them the new "
                "password in person.",
                name=user.username,
            ),
            "success",
        )
        return redirect(url_for("admin.account", user_id=user.id))
    return _account_page(user, RoleForm(role=user.role.value), form, 422)


@bp.route("/accounts/<id:user_id>/remove", methods=["GET", "POST"])
@admin_required
def remove_account(user_id: int):
    user = _account(user_id)
    if user.id == current_user.id:
        flash(_("You cannot remove your own account: ask another administrator to."), "error")
        return redirect(url_for("admin.account", user_id=user.id))
    form = AdminForm()
    if not form.validate_on_submit():
        return render_template("admin/account_remove.html", user=user, form=form)
    name = user.username
    try:
        users.delete_user(name)
        db.session.commit()
    except users.AccountError as error:
        _refused(form, error)
        return redirect(url_for("admin.account", user_id=user_id))
    flash(
        _("Removed the account %(name)s. Their name stays in the history and the audit log.", name=name),
        "success",
    )
    return redirect(url_for("admin.account_list"))


@bp.route("/password", methods=["GET", "POST"])
def own_password():
    """Any curator's own password: the current one first, so a browser left signed in cannot change it."""
    form = OwnPasswordForm()
    status = 200
    if form.validate_on_submit():
        user = _account(current_user.id)
        if users.authenticate(user.username, form.current_password.data or "") is None:
            db.session.rollback()
            add_error(form.current_password, _("That is not your current password."))
            status = 422
        else:
            try:
                users.set_password(user.username, form.password.data or "")
                db.session.commit()
            except users.AccountError as error:
                status = _refused(form, error)
            else:
                _stay_signed_in(user)
                flash(_("Your password is changed. You were signed out on every other device."), "success")
                return redirect(url_for("admin.event_list"))
    elif form.is_submitted():
        status = 422
    return render_template("admin/own_password.html", form=form), status


def _stay_signed_in(user: User) -> None:
    """A new password ended every session of the account, this one too: sign this browser in again."""
    signed_in_at, seen_at = session.get("signed_in_at"), session.get("seen_at")
    login_user(user)
    session["signed_in_at"], session["seen_at"] = signed_in_at, seen_at
