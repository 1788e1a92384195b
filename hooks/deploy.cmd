@if "%SCM_TRACE_LEVEL%" NEQ "4" @echo off

:: ---------------------------------------------------------------------------
:: envguard deploy.cmd: Kudu deployment script for Python on Windows App Service
::
:: It does what Kudu's stock Python script (KuduScript's
:: deploy.batch.python.template) does -- KuduSync the app to wwwroot, select
:: the Python version, keep a virtual environment in wwwroot\env (recreated when
:: its azure.env.<runtime>.txt sentinel does not match), pip install -r
:: requirements.txt, web.<ver>.config, Django collectstatic -- and it honours
:: envguard's force-clean marker:
::
::   1. .envguard\force-clean at the repository root holds a token (64 lowercase
::      hex characters). Anything else is ignored with a warning: nothing is
::      deleted and nothing from the file is ever executed.
::   2. A token other than the one recorded in env\.envguard-token deletes env
::      (with the site offline, see :DeleteEnv), so pip installs into a clean
::      environment and packages removed from requirements.txt are really gone.
::   3. The token is recorded only after pip succeeded: a failed install cleans
::      again on the next deployment.
::
:: .deployment:  [config]  command = deploy.cmd  (project = <dir> for an app in
:: a subfolder: Kudu stops honouring "project" once "command" is set, so this
:: script reads PROJECT itself).
::
:: Writing batch that runs the same on Windows' cmd and on Wine's (the tests run
:: this script under Wine 8) rules out several common idioms:
::   * set /p VAR=<file reads past the end of the line on Wine, even a CRLF:
::     files are read with for /f instead.
::   * goto or exit /b inside a for /f body does not end the loop on Wine: the
::     first line is taken with "if not defined SEEN", and every loop body is a
::     multi-line block (Wine substitutes %%A only in the first command of an
::     "a & b" chain).
::   * Wine parses an IF comparison after substituting the variables, so a
::     quote in the compared text can inject a command; and its delayed
::     expansion knows only plain !VAR! (no !VAR:~n,m!). Text from a file is
::     therefore never compared, echoed or %-expanded until :ReadToken has
::     proven that it consists of hex digits only, and delayed expansion stays
::     off everywhere (so "!" in paths and files survives, too).
::   * findstr is a stub on Wine that succeeds whatever it is given: not used.
::   * a failed redirection leaves ERRORLEVEL at 0 on Wine, and a called .cmd
::     that exits 3 reports 1: results are checked with "if exist" or by reading
::     them back, and exit codes only against 0.
::   * "a && b || c" runs both branches on Wine: never used; every command is
::     followed by its own ERRORLEVEL check, on a line of its own (outside any
::     parenthesised block, where %ERRORLEVEL% would be expanded too early).
::   * Tools that may be .cmd files (KuduSync, the Python selector, pip) are
::     run with "call", or this script would never get control back.
:: ---------------------------------------------------------------------------

setlocal EnableExtensions DisableDelayedExpansion

:: Setup, as Kudu's stock prefix does it for runs outside Kudu.
set "ARTIFACTS=%~dp0..\artifacts"
if not defined DEPLOYMENT_SOURCE set "DEPLOYMENT_SOURCE=%~dp0."
if not defined DEPLOYMENT_TARGET set "DEPLOYMENT_TARGET=%ARTIFACTS%\wwwroot"
if defined NEXT_MANIFEST_PATH goto manifestsSet
set "NEXT_MANIFEST_PATH=%ARTIFACTS%\manifest"
if not defined PREVIOUS_MANIFEST_PATH set "PREVIOUS_MANIFEST_PATH=%ARTIFACTS%\manifest"
:manifestsSet
if not defined DEPLOYMENT_TEMP set "DEPLOYMENT_TEMP=%TEMP%"
if exist "%DEPLOYMENT_TEMP%" goto tempSet
mkdir "%DEPLOYMENT_TEMP%"
if not exist "%DEPLOYMENT_TEMP%" goto error
:tempSet

if defined KUDU_SYNC_CMD goto kuduSyncSet
echo Installing Kudu Sync
call npm install kudusync -g --silent
if %ERRORLEVEL% NEQ 0 goto error
set "KUDU_SYNC_CMD=%APPDATA%\npm\kuduSync.cmd"
:kuduSyncSet

:: The app folder: the repository root, or PROJECT inside it (forward slashes
:: allowed, as people write them in .deployment).
set "APP_SOURCE=%DEPLOYMENT_SOURCE%"
if defined PROJECT set "APP_SOURCE=%DEPLOYMENT_SOURCE%\%PROJECT:/=\%"
if exist "%APP_SOURCE%" goto appSourceSet
echo envguard: PROJECT=%PROJECT% names no folder in the repository.
goto error
:appSourceSet

:: Python steps run in wwwroot, where KuduSync put the app; an in-place
:: deployment leaves the app where it is.
set "APP_DIR=%DEPLOYMENT_TARGET%"
if /i "%IN_PLACE_DEPLOYMENT%"=="1" set "APP_DIR=%APP_SOURCE%"
set "ENV_DIR=%DEPLOYMENT_TARGET%\env"
set "OFFLINE_BY_ENVGUARD="

:: ---------------------------------------------------------------------------
:: Deployment
:: ---------------------------------------------------------------------------
echo Handling python deployment.

:: 1. KuduSync. Besides the stock list, .envguard (the marker is for this
:: script, not for the site) and deploy.sh stay out of wwwroot.
if /i "%IN_PLACE_DEPLOYMENT%"=="1" goto synced
call "%KUDU_SYNC_CMD%" -v 50 -f "%APP_SOURCE%" -t "%DEPLOYMENT_TARGET%" -n "%NEXT_MANIFEST_PATH%" -p "%PREVIOUS_MANIFEST_PATH%" -i ".git;.hg;.deployment;deploy.cmd;deploy.sh;.envguard"
if %ERRORLEVEL% NEQ 0 goto error
:synced

if not exist "%APP_DIR%\requirements.txt" goto postPython
if exist "%APP_DIR%\.skipPythonDeployment" goto postPython
echo Detected requirements.txt.  You can skip Python specific steps with a .skipPythonDeployment file.

:: 2. Select the Python version.
call :SelectPythonVersion
if %ERRORLEVEL% NEQ 0 goto error
set "SENTINEL=%ENV_DIR%\azure.env.%PYTHON_RUNTIME%.txt"

:: 3. envguard: a new force-clean token deletes the environment.
set "MARKER_TOKEN="
if not exist "%DEPLOYMENT_SOURCE%\.envguard\force-clean" goto markerDone
call :ReadToken "%DEPLOYMENT_SOURCE%\.envguard\force-clean" MARKER_TOKEN
if defined MARKER_TOKEN goto markerValid
echo envguard: warning: .envguard\force-clean does not hold a token of 64 lowercase hex characters; ignoring it (nothing is deleted).
goto markerDone
:markerValid
if not exist "%ENV_DIR%" goto markerDone
set "RECORDED_TOKEN="
if exist "%ENV_DIR%\.envguard-token" call :ReadToken "%ENV_DIR%\.envguard-token" RECORDED_TOKEN
:: Both tokens are hex digits only (or undefined): safe to compare.
if "%RECORDED_TOKEN%"=="%MARKER_TOKEN%" goto markerDone
echo envguard: marker %MARKER_TOKEN:~0,12%... is new: deleting the virtual environment
call :DeleteEnv
if %ERRORLEVEL% NEQ 0 goto error
:markerDone

:: 4. Kudu's own check: an environment made for another runtime is recreated.
if not exist "%ENV_DIR%" goto createEnv
if exist "%SENTINEL%" goto envFound
echo Deleting incompatible virtual environment.
call :DeleteEnv
if %ERRORLEVEL% NEQ 0 goto error

:createEnv
echo Creating %PYTHON_RUNTIME% virtual environment.
call "%PYTHON_EXE%" -m %PYTHON_ENV_MODULE% "%ENV_DIR%"
if %ERRORLEVEL% NEQ 0 goto error
type nul > "%SENTINEL%"
if not exist "%SENTINEL%" goto error
goto envReady
:envFound
echo Found compatible virtual environment.
:envReady

:: 5. Install packages, with the environment's own pip; PIP_* settings reach
:: it unchanged through the environment.
pushd "%APP_DIR%"
if %ERRORLEVEL% NEQ 0 goto error
echo Pip install requirements.
call "%ENV_DIR%\Scripts\pip" install -r requirements.txt
if %ERRORLEVEL% NEQ 0 goto error

:: 6. envguard: record the token only now that pip succeeded, and read it back
:: (a failed redirection does not set ERRORLEVEL everywhere).
if not defined MARKER_TOKEN goto tokenDone
set "RECORDED_TOKEN="
if exist "%ENV_DIR%\.envguard-token" call :ReadToken "%ENV_DIR%\.envguard-token" RECORDED_TOKEN
if "%RECORDED_TOKEN%"=="%MARKER_TOKEN%" goto tokenDone
> "%ENV_DIR%\.envguard-token" echo %MARKER_TOKEN%
call :ReadToken "%ENV_DIR%\.envguard-token" RECORDED_TOKEN
if not "%RECORDED_TOKEN%"=="%MARKER_TOKEN%" goto error
echo envguard: recorded marker %MARKER_TOKEN:~0,12%... in the virtual environment.
:tokenDone
call :BringOnline
if %ERRORLEVEL% NEQ 0 goto error

:: 7. web.<ver>.config wins over web.config.
if not exist "%APP_SOURCE%\web.%PYTHON_VER%.config" goto webConfigDone
echo Overwriting web.config with web.%PYTHON_VER%.config
copy /y "%APP_SOURCE%\web.%PYTHON_VER%.config" "%DEPLOYMENT_TARGET%\web.config" >nul
if %ERRORLEVEL% NEQ 0 goto error
:webConfigDone

:: 8. Django collectstatic, when the app has manage.py and Django is installed.
if not exist "%APP_DIR%\manage.py" goto djangoDone
if not exist "%ENV_DIR%\Lib\site-packages\django" goto djangoDone
if exist "%APP_DIR%\.skipDjango" goto djangoDone
echo Collecting Django static files. You can skip Django specific steps with a .skipDjango file.
if not exist "%APP_DIR%\static" mkdir "%APP_DIR%\static"
call "%ENV_DIR%\Scripts\python" manage.py collectstatic --noinput --clear
if %ERRORLEVEL% NEQ 0 goto error
:djangoDone

popd

:postPython
goto end

:: ---------------------------------------------------------------------------
:: Subroutines. They return a non-zero exit code instead of jumping to :error,
:: whose "exit /b" would only leave the subroutine.
:: ---------------------------------------------------------------------------

:SelectPythonVersion
:: Kudu's selector reads runtime.txt from the app folder and leaves its choice
:: in %DEPLOYMENT_TEMP%\__PYTHON_*.tmp. Its value is a command line (python
:: plus a script path), so it is not quoted.
if not defined KUDU_SELECT_PYTHON_VERSION_CMD goto selectPythonFallback
call %KUDU_SELECT_PYTHON_VERSION_CMD% "%APP_SOURCE%" "%DEPLOYMENT_TARGET%" "%DEPLOYMENT_TEMP%"
if %ERRORLEVEL% NEQ 0 exit /b 1
call :ReadFirstLine PYTHON_RUNTIME "%DEPLOYMENT_TEMP%\__PYTHON_RUNTIME.tmp"
if %ERRORLEVEL% NEQ 0 exit /b 1
call :ReadFirstLine PYTHON_VER "%DEPLOYMENT_TEMP%\__PYTHON_VER.tmp"
if %ERRORLEVEL% NEQ 0 exit /b 1
call :ReadFirstLine PYTHON_EXE "%DEPLOYMENT_TEMP%\__PYTHON_EXE.tmp"
if %ERRORLEVEL% NEQ 0 exit /b 1
call :ReadFirstLine PYTHON_ENV_MODULE "%DEPLOYMENT_TEMP%\__PYTHON_ENV_MODULE.tmp"
if %ERRORLEVEL% NEQ 0 exit /b 1
exit /b 0
:selectPythonFallback
:: The stock template's fallback when Kudu offers no selector.
set "PYTHON_RUNTIME=python-2.7"
set "PYTHON_VER=2.7"
set "PYTHON_EXE=%SYSTEMDRIVE%\python27\python.exe"
set "PYTHON_ENV_MODULE=virtualenv"
exit /b 0

:ReadFirstLine
:: %1 = variable to set, %2 = file; exit code 1 when the file has no line.
set "%~1="
set "ENVGUARD_SEEN="
for /f "usebackq delims=" %%L in ("%~2") do (
  if not defined ENVGUARD_SEEN set "%~1=%%L"
  set "ENVGUARD_SEEN=1"
)
if not defined %~1 exit /b 1
exit /b 0

:ReadToken
:: %1 = file, %2 = variable to set. Sets it to the file's first line when that
:: is exactly 64 lowercase hex characters (a trailing CR is dropped by for /f);
:: leaves it undefined otherwise. No text from the file is echoed, compared or
:: %-expanded before it has been proven to be hex digits only.
set "%~2="
:: A token file is 64 characters and a line end. Reading a large one would
:: mean looping over all of its lines (see the Wine notes above): one of 1000
:: bytes or more is not a token.
::
:: Lengths are tested on padded copies: Wine returns stale memory for a
:: substring that starts past the end of a value (%%V:~3,1%% of "65"), so
:: every offset used below stays inside the value.
set "ENVGUARD_SIZE="
for %%S in ("%~1") do set "ENVGUARD_SIZE=%%~zS____"
if not "%ENVGUARD_SIZE:~3,1%"=="_" exit /b 0
:: Prefix "z0" so that the first line is never empty (for /f skips empty lines,
:: and the first line, not the first non-empty one, is the token) and starts
:: with the single token "z" when split at hex digits.
set "ENVGUARD_PROBE=%DEPLOYMENT_TEMP%\envguard-token.probe"
del /f /q "%ENVGUARD_PROBE%" "%ENVGUARD_PROBE%.prefix" >nul 2>&1
<nul set /p "=z0" > "%ENVGUARD_PROBE%.prefix"
copy /b "%ENVGUARD_PROBE%.prefix" + "%~1" "%ENVGUARD_PROBE%" >nul 2>&1
:: Split the first line at hex digits: it is "z0" and hex digits only exactly
:: when nothing follows the token "z". for /f compares delimiters case-
:: sensitively, so A-F are not hex digits here (findstr, which could say the
:: same, is a stub on Wine; cmd's %%V:a=b%% substitution ignores case).
set "ENVGUARD_SEEN="
set "ENVGUARD_REST="
for /f "usebackq tokens=1,* delims=0123456789abcdef" %%A in ("%ENVGUARD_PROBE%") do (
  if not defined ENVGUARD_SEEN set "ENVGUARD_REST=%%B"
  set "ENVGUARD_SEEN=1"
)
if not defined ENVGUARD_SEEN goto readTokenDone
if defined ENVGUARD_REST goto readTokenDone
set "ENVGUARD_SEEN="
set "ENVGUARD_LINE="
for /f "usebackq delims=" %%A in ("%ENVGUARD_PROBE%") do (
  if not defined ENVGUARD_SEEN set "ENVGUARD_LINE=%%A"
  set "ENVGUARD_SEEN=1"
)
if not defined ENVGUARD_LINE goto readTokenDone
:: From here on the line is "z0" and [0-9a-f] only: safe to %-expand.
set "ENVGUARD_LINE=%ENVGUARD_LINE:~2%"
if not defined ENVGUARD_LINE goto readTokenDone
:: Exactly 64 characters: "_" lands at offset 64 of the padded copy.
set "ENVGUARD_PADDED=%ENVGUARD_LINE%_................................................................"
if not "%ENVGUARD_PADDED:~64,1%"=="_" goto readTokenDone
set "%~2=%ENVGUARD_LINE%"
:readTokenDone
del /f /q "%ENVGUARD_PROBE%" "%ENVGUARD_PROBE%.prefix" >nul 2>&1
exit /b 0

:DeleteEnv
:: A running site keeps its .pyd files open, and rmdir then leaves part of env
:: behind while still reporting success. Take the site offline first
:: (app_offline.htm stops the worker; it stays until pip is done, so the site
:: does not start on a half-built env), then check that env is really gone.
:: An app_offline.htm that was already there is the owner's: left alone.
if exist "%DEPLOYMENT_TARGET%\app_offline.htm" goto deleteEnvOffline
> "%DEPLOYMENT_TARGET%\app_offline.htm" echo ^<!DOCTYPE html^>^<title^>Updating^</title^>^<p^>This site is being updated and will be back shortly.^</p^>
set "OFFLINE_BY_ENVGUARD=1"
:deleteEnvOffline
rmdir /s /q "%ENV_DIR%" >nul 2>&1
if not exist "%ENV_DIR%" exit /b 0
echo envguard: "%ENV_DIR%" is still in use; retrying in 5 seconds.
ping -n 6 127.0.0.1 >nul
rmdir /s /q "%ENV_DIR%" >nul 2>&1
if not exist "%ENV_DIR%" exit /b 0
echo envguard: could not delete "%ENV_DIR%": stop the site and deploy again.
exit /b 1

:BringOnline
if not defined OFFLINE_BY_ENVGUARD exit /b 0
set "OFFLINE_BY_ENVGUARD="
del /f /q "%DEPLOYMENT_TARGET%\app_offline.htm" >nul 2>&1
if not exist "%DEPLOYMENT_TARGET%\app_offline.htm" exit /b 0
echo envguard: could not remove "%DEPLOYMENT_TARGET%\app_offline.htm": the site stays offline.
exit /b 1

:: ---------------------------------------------------------------------------
:error
call :BringOnline
echo An error has occurred during web site deployment.
endlocal
exit /b 1

:end
echo Finished successfully.
endlocal
exit /b 0
