@echo off
rem The `modelship` command of the editor's integrated terminals on Windows: see bin/modelship.
setlocal
if defined MODELSHIP_NODE if exist "%MODELSHIP_NODE%" (
  set ELECTRON_RUN_AS_NODE=1
  "%MODELSHIP_NODE%" "%~dp0..\dist\cli.js" %*
  exit /b %ERRORLEVEL%
)
node "%~dp0..\dist\cli.js" %*
