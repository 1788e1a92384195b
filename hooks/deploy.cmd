@if "%SCM_TRACE_LEVEL%" NEQ "4" @echo off

:: ---------------------------------------------------------------------------
:: envguard deploy.cmd: Kudu deployment script for Python on Windows App Service
:: `envguard init` updates a copy of this file only while the next line matches it
:: (its SHA-256 without that line; envguard's docs/formats.md), so edits are kept.
:: envguard-digest: sha256:c94c21098b38674f7a5fb8ea3b1f5927af30c76baddd8997e8c36937b47ff5d7
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
::   4. Then the environment checks itself: envguard_check.py (beside this
::      script) lists what is installed but no longer reached from
::      requirements.txt. With ENVGUARD_ON_LEFTOVERS=rebuild (the default) an
::      env kept from an earlier deployment is rebuilt once, in this
::      deployment; what a fresh env still has left over was installed on
::      purpose by something else: it is reported and recorded in
::      env\.envguard-leftovers, and never rebuilt for. "warn" only reports.
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
:: Set once this deployment has created the env: it is never rebuilt again.
set "ENV_FRESH="

:: The leftovers policy, an app setting; anything but "warn" rebuilds.
set "ON_LEFTOVERS=rebuild"
if not defined ENVGUARD_ON_LEFTOVERS goto onLeftoversSet
if /i "%ENVGUARD_ON_LEFTOVERS%"=="rebuild" goto onLeftoversSet
set "ON_LEFTOVERS=warn"
if /i "%ENVGUARD_ON_LEFTOVERS%"=="warn" goto onLeftoversSet
set "ON_LEFTOVERS=rebuild"
echo envguard: warning: ENVGUARD_ON_LEFTOVERS is neither "rebuild" nor "warn": refused, leftovers rebuild the env.
:onLeftoversSet

:: The leftovers checker: beside this script, as envguard init writes them.
set "CHECKER=%~dp0envguard_check.py"
if not exist "%CHECKER%" set "CHECKER=%DEPLOYMENT_SOURCE%\envguard_check.py"

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

:: 2. Select the Python version. Kudu's selector (Kudu.Core/Scripts/
:: select_python_version.py) knows python-2.7, python-3.4 and python-3.6 only,
:: and fails on anything else with "Unsupported runtime".
call :SelectPythonVersion
if %ERRORLEVEL% EQU 0 goto selected
echo envguard: Kudu's Python selector rejected runtime.txt. Python on Windows App Service stops at 3.6: runtime.txt can ask for python-2.7, python-3.4 or python-3.6 only. For a newer Python, move the app to Linux App Service (envguard init --target linux writes its deploy.sh).
goto error
:selected
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
set "ENV_FRESH=1"
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

:: 7. envguard: the leftovers check, by the env's own Python.
call :CheckLeftovers
if "%LEFTOVERS%"=="new" goto leftoversNew
if not "%LEFTOVERS%"=="known" goto leftoversDone
echo envguard: still left over since the last fresh build, so installed on purpose by something else; not rebuilt for. List them in ENVGUARD_KEEP to silence this:
type "%LEFTOVERS_LIST%"
goto leftoversDone
:leftoversNew
echo envguard: installed, but no longer reached from requirements.txt:
type "%LEFTOVERS_LIST%"
if defined ENV_FRESH goto leftoversRecord
if "%ON_LEFTOVERS%"=="warn" goto leftoversWarn
echo envguard: no marker scheduled this (was the hook bypassed?): rebuilding the virtual environment once.
popd
call :DeleteEnv
if %ERRORLEVEL% NEQ 0 goto error
goto createEnv
:leftoversWarn
echo envguard: ENVGUARD_ON_LEFTOVERS=warn: the virtual environment is kept as it is.
goto leftoversDone
:leftoversRecord
:: A fresh env that still has leftovers: something besides requirements.txt
:: installed them. Recorded, so that later deployments only report them.
echo envguard: the virtual environment was built in this deployment, so something else installed these on purpose: recorded in env\.envguard-leftovers and never rebuilt for.
call :RecordLeftovers
if %ERRORLEVEL% NEQ 0 goto error
:leftoversDone

:: 8. web.<ver>.config wins over web.config.
if not exist "%APP_SOURCE%\web.%PYTHON_VER%.config" goto webConfigDone
echo Overwriting web.config with web.%PYTHON_VER%.config
copy /y "%APP_SOURCE%\web.%PYTHON_VER%.config" "%DEPLOYMENT_TARGET%\web.config" >nul
if %ERRORLEVEL% NEQ 0 goto error
:webConfigDone

:: 9. Django collectstatic, when the app has manage.py and Django is installed.
:: Kudu's template (KuduScript deploy.batch.python.template) ignores its
:: exit code: a failed collectstatic does not fail the deployment.
if not exist "%APP_DIR%\manage.py" goto djangoDone
if not exist "%ENV_DIR%\Lib\site-packages\django" goto djangoDone
if exist "%APP_DIR%\.skipDjango" goto djangoDone
echo Collecting Django static files. You can skip Django specific steps with a .skipDjango file.
if not exist "%APP_DIR%\static" mkdir "%APP_DIR%\static"
call "%ENV_DIR%\Scripts\python" manage.py collectstatic --noinput --clear
if %ERRORLEVEL% NEQ 0 echo envguard: warning: collectstatic failed; the deployment goes on, as with Kudu's own script.
:djangoDone

popd
:: The site comes back only now: web.config and the static files are in place.
call :BringOnline
if %ERRORLEVEL% NEQ 0 goto error

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
:: Only the first line counts, whatever follows it (the loops below run over
:: every line, but do nothing after the first).
::
:: Lengths are tested on padded copies: Wine returns stale memory for a
:: substring that starts past the end of a value (%%V:~3,1%% of "65"), so
:: every offset used below stays inside the value.
::
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

:CheckLeftovers
:: Runs the checker in the app folder and sets LEFTOVERS to clean, unknown
:: (the checker cannot judge: nothing changes), known (only what
:: env\.envguard-leftovers lists) or new; LEFTOVERS_LIST names the list. The
:: verdict is read from the list, not from the exit code alone (1 leftovers,
:: 3 cannot judge): Wine reports every non-zero exit of a .cmd as 1. The
:: checker prints only PEP 503 names and versions, safe to echo and compare.
set "LEFTOVERS=unknown"
set "LEFTOVERS_LIST=%DEPLOYMENT_TEMP%\envguard-leftovers.txt"
del /f /q "%LEFTOVERS_LIST%" >nul 2>&1
if exist "%CHECKER%" goto checkerFound
echo envguard: warning: envguard_check.py is not beside deploy.cmd (envguard init puts it there): leftovers not checked.
exit /b 0
:checkerFound
set "CHECKER_CONFIG="
if exist "%DEPLOYMENT_SOURCE%\envguard.toml" set "CHECKER_CONFIG=%DEPLOYMENT_SOURCE%\envguard.toml"
if defined CHECKER_CONFIG goto checkWithConfig
call "%ENV_DIR%\Scripts\python" "%CHECKER%" -r requirements.txt --keep "%ENVGUARD_KEEP%" > "%LEFTOVERS_LIST%"
goto checked
:checkWithConfig
call "%ENV_DIR%\Scripts\python" "%CHECKER%" -r requirements.txt --keep "%ENVGUARD_KEEP%" --config "%CHECKER_CONFIG%" > "%LEFTOVERS_LIST%"
:checked
if %ERRORLEVEL% EQU 0 goto checkClean
set "LIST_SIZE=0"
for %%S in ("%LEFTOVERS_LIST%") do set "LIST_SIZE=%%~zS"
if %LIST_SIZE% GTR 0 goto checkListed
echo envguard: the leftovers check cannot judge this environment (see above): nothing is changed.
exit /b 0
:checkClean
set "LEFTOVERS=clean"
echo envguard: leftovers check: every installed package is reached from requirements.txt.
exit /b 0
:checkListed
set "LEFTOVERS=known"
for /f "usebackq tokens=1 delims==" %%N in ("%LEFTOVERS_LIST%") do (
  call :IsKnownLeftover %%N
)
exit /b 0

:IsKnownLeftover
:: %1 = a canonical name; LEFTOVERS becomes new unless env\.envguard-leftovers
:: lists it.
if not exist "%ENV_DIR%\.envguard-leftovers" goto isKnownNo
set "KNOWN="
for /f "usebackq delims=" %%K in ("%ENV_DIR%\.envguard-leftovers") do (
  if "%%K"=="%~1" set "KNOWN=1"
)
if defined KNOWN exit /b 0
:isKnownNo
set "LEFTOVERS=new"
exit /b 0

:RecordLeftovers
:: The names of the list into env\.envguard-leftovers, through a temp file
:: renamed into place, read back before it counts.
set "RECORD=%ENV_DIR%\.envguard-leftovers.tmp"
del /f /q "%RECORD%" >nul 2>&1
for /f "usebackq tokens=1 delims==" %%N in ("%LEFTOVERS_LIST%") do (
  >> "%RECORD%" echo %%N
)
if not exist "%RECORD%" exit /b 1
move /y "%RECORD%" "%ENV_DIR%\.envguard-leftovers" >nul
if not exist "%ENV_DIR%\.envguard-leftovers" exit /b 1
exit /b 0

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
