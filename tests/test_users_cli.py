"""``flask --app kiosk users …``: accounts from the command line, passwords from a prompt or a pipe."""

from kiosk.accounts import cli, users
from kiosk.models import Role

from .helpers import PASSWORD


def test_create_reads_the_password_from_standard_input(runner):
    result = runner.invoke(args=["users", "create", "anna", "--role", "admin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created admin account anna." in result.output
    assert users.find("anna").role is Role.ADMIN
    assert users.authenticate("anna", PASSWORD) is not None


def test_at_a_terminal_the_password_is_asked_twice(runner, monkeypatch):
    monkeypatch.setattr(cli, "_stdin_is_terminal", lambda: True)
    mismatch = runner.invoke(args=["users", "create", "anna"], input=f"{PASSWORD}\nsomething else entirely\n")
    assert "do not match" in mismatch.output.lower()
    result = runner.invoke(args=["users", "create", "anna"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input
    assert users.find("anna").role is Role.EDITOR


def test_a_weak_password_is_refused_with_the_reason(runner):
    result = runner.invoke(args=["users", "create", "anna"], input="password1234\n")
    assert result.exit_code == 1
    assert "too weak" in result.output
    assert users.find("anna") is None


def test_set_password_list_and_delete(runner):
    runner.invoke(args=["users", "create", "anna"], input=PASSWORD + "\n")
    result = runner.invoke(args=["users", "set-password", "anna"], input="a brand new passphrase 77\n")
    assert result.exit_code == 0 and "old sessions have ended" in result.output
    assert users.authenticate("anna", "a brand new passphrase 77") is not None

    listing = runner.invoke(args=["users", "list"])
    assert "anna\teditor\t" in listing.output

    assert runner.invoke(args=["users", "delete", "anna"], input="n\n").exit_code == 1  # answered no
    assert users.find("anna") is not None
    result = runner.invoke(args=["users", "delete", "anna", "--yes"])
    assert result.exit_code == 0 and users.find("anna") is None
    assert "No accounts yet" in runner.invoke(args=["users", "list"]).output


def test_unknown_accounts_get_a_clear_message(runner):
    for command in (["set-password", "ghost"], ["delete", "ghost", "--yes"]):
        result = runner.invoke(args=["users", *command], input=PASSWORD + "\n")
        assert result.exit_code == 1 and "There is no account called ghost." in result.output
