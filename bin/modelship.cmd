@echo off
rem The `modelship` command of the editor's integrated terminals on Windows: see bin/modelship.
setlocal
set "cli=%~dp0..\dist\cli.js"
if not defined MODELSHIP_NODE goto plainNode
if not exist "%MODELSHIP_NODE%" goto plainNode
set ELECTRON_RUN_AS_NODE=1
"%MODELSHIP_NODE%" "%cli%" %*
exit /b %ERRORLEVEL%
:plainNode
node "%cli%" %*
