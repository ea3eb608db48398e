@echo off
rem Relève: double-click to install from this USB key (runs install.ps1 beside it).
powershell -NoProfile -ExecutionPolicy Bypass -File "%~dp0install.ps1" %*
pause
