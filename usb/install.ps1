# Relève, installed from this folder without the Internet (Windows, 64 bits).
#   powershell -ExecutionPolicy Bypass -File install.ps1 [FOLDER]
# FOLDER: where Relève goes (default %LOCALAPPDATA%\releve-app).
# Needs Python 3.11 or newer (python.org or the Microsoft Store), with the "py" launcher.
$ErrorActionPreference = "Stop"
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
$target = if ($args.Count -gt 0) { $args[0] } else { Join-Path $env:LOCALAPPDATA "releve-app" }

if (Get-Command py -ErrorAction SilentlyContinue) {
    & py -3 -c "import sys; sys.exit(sys.version_info < (3, 11))"
    if ($LASTEXITCODE -ne 0) { throw "Relève a besoin de Python 3.11+ / Relève needs Python 3.11+" }
    & py -3 -m venv $target
} elseif (Get-Command python -ErrorAction SilentlyContinue) {
    # Also refuses the Microsoft Store's "python" alias when Python is not installed.
    & python -c "import sys; sys.exit(sys.version_info < (3, 11))"
    if ($LASTEXITCODE -ne 0) { throw "Relève a besoin de Python 3.11+ / Relève needs Python 3.11+" }
    & python -m venv $target
} else {
    throw "Python est introuvable : installez Python 3.11+ / Python not found: install Python 3.11+"
}
if ($LASTEXITCODE -ne 0) { throw "venv" }
& "$target\Scripts\python.exe" -m pip install --quiet --no-index --find-links "$here\wheels" "releve[windows]"
if ($LASTEXITCODE -ne 0) { throw "pip install" }
& "$target\Scripts\releve.exe" --version
Write-Host ""
Write-Host "Relève est installé dans $target / Relève is installed in $target"
Write-Host "  $target\Scripts\releve.exe demo     (essai / a try)"
Write-Host "  $target\Scripts\releve.exe --help"
