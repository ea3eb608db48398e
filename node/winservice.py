"""The node as a Windows service (issue #17; docs/operations.md, "Running as a Windows service").

``releve service install`` registers :class:`ReleveService` (pywin32, the ``[windows]`` extra)
under the name ``Releve``; Windows' service manager then starts it at boot, as LocalSystem,
on the machine-wide home (``C:\\ProgramData\\releve``, or the ``--home`` given at install,
kept in the service's registry key). The home must be unattended (``node.key``): nobody is
there to type a passphrase.

What the service does is in :class:`ServiceRunner`, free of pywin32 so that it is tested on
any system: it runs :func:`node.daemon.run` with a :class:`node.system.StopRequest`, and a
stop request from the service manager (``SvcStop``, called on another thread) sets the
daemon's stop event: the node finishes what is in flight, flushes and closes its database,
as it does on Ctrl-C.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final, Protocol

from node import system
from node.paths import HomeLayout

SERVICE_NAME: Final = "Releve"
DISPLAY_NAME: Final = "Relève"
DESCRIPTION: Final = (
    "Messagerie sécurisée de secours entre soignants (nœud Relève) / "
    "Secure fallback messaging between clinicians (Relève node)"
)
# The registry value (under the service's Parameters key) that holds the home.
HOME_OPTION: Final = "home"
# The class string Windows' pythonservice.exe imports.
CLASS_STRING: Final = "node.winservice.ReleveService"


class DaemonRun(Protocol):
    def __call__(
        self,
        layout: HomeLayout,
        *,
        listen: str | None,
        no_listen: bool,
        relays: list[str],
        passphrase: bytes | None,
        stop: system.StopRequest | None = None,
    ) -> int: ...


def _daemon_run() -> DaemonRun:
    from node.daemon import run

    return run


class ServiceRunner:
    """Runs the node until :meth:`stop`; ``log`` says what happens in the Windows event log."""

    def __init__(
        self,
        layout: HomeLayout,
        log: Callable[[str], None],
        run: DaemonRun | None = None,
    ) -> None:
        self.layout = layout
        self.stop_request = system.StopRequest()
        self._log = log
        self._run = run

    def run(self) -> int:
        from node.core.errors import NodeError

        run = self._run or _daemon_run()
        self._log(f"Relève: starting the node of {self.layout.root}")
        try:
            code = run(
                self.layout,
                listen=None,
                no_listen=False,
                relays=[],
                passphrase=None,
                stop=self.stop_request,
            )
        except NodeError as exc:
            # A home without node.key, a second node on the same home...: said in the event
            # log; the service then stops (and Windows restarts it as configured).
            self._log(f"Relève: the node cannot start ({exc.code}): {exc}")
            return 1
        self._log("Relève: the node stopped")
        return code

    def stop(self) -> None:
        self.stop_request.request()


def configured_home(get_option: Callable[[str, str], object] | None = None) -> Path:
    """The home given at install (``releve service install --home``), else the machine-wide
    one."""
    value = get_option(SERVICE_NAME, HOME_OPTION) if get_option is not None else None
    return Path(value) if isinstance(value, str) and value else system.service_home()


try:
    import servicemanager
    import win32service
    import win32serviceutil
except ImportError:  # not Windows, or the [windows] extra is not installed
    pass
else:

    class ReleveService(win32serviceutil.ServiceFramework):
        """pywin32's side: the service manager's calls, handed to :class:`ServiceRunner`."""

        _svc_name_ = SERVICE_NAME
        _svc_display_name_ = DISPLAY_NAME
        _svc_description_ = DESCRIPTION

        def __init__(self, args: Iterable[str]) -> None:
            super().__init__(args)
            home = configured_home(win32serviceutil.GetServiceCustomOption)
            self.runner = ServiceRunner(HomeLayout(home), servicemanager.LogInfoMsg)

        def SvcStop(self) -> None:  # pywin32 names it
            self.ReportServiceStatus(win32service.SERVICE_STOP_PENDING)
            self.runner.stop()

        def SvcDoRun(self) -> None:  # pywin32 names it
            self.ReportServiceStatus(win32service.SERVICE_RUNNING)
            self.runner.run()
