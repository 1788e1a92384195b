@if "%SCM_TRACE_LEVEL%" NEQ "4" @echo off

:: ---------------------------------------------------------------------------
:: envguard deploy.cmd: Kudu deployment script for Python on Windows App Service
:: `envguard init` updates a copy of this file only while the next line matches it
:: (its SHA-256 without that line; envguard's docs/formats.md), so edits are kept.
:: envguard-digest: sha256:68f306c28a071e76f912e405c8d28f03226f859881602d0133ac80c6d5ba7b83
::
:: It does what Kudu's stock Python script (KuduScript's
:: deploy.batch.python.template) does -- KuduSync the app to wwwroot, select
:: the Python version, keep a virtual environment in wwwroot\env (recreated when
:: its azure.env.<runtime>.txt sentinel does not match), pip install -r
:: requirements.txt, web.<ver>.config, Django collectstatic -- and it honours
:: envguard's force-clean marker:
::
::   1. .envguard\force-clean at the repository root holds a token (64 lowercase
::      hex characters). Anything else is ignored with a warning: nothing from
::      the file is ever executed.
::   2. A token other than the one recorded in env\.envguard-token deletes env
::      (with the site offline, see :DeleteEnv), so pip installs into a clean
::      environment and packages removed from requirements.txt are really gone.
::      The recorded token is the one the deployed commit carries: a commit
::      without a marker (a rollback to before it) forgets it, so that the
::      marker, deployed again, cleans again.
::   3. The token is recorded only after pip succeeded: a failed install cleans
::      again on the next deployment.
::   4. Then the environment checks itself: envguard_check.py (beside this
::      script) lists what is installed but no longer reached from
::      requirements.txt. With ENVGUARD_ON_LEFTOVERS=prune (the default) an env
::      kept from an earlier deployment has exactly those uninstalled by its
::      own pip and is checked again; an uninstall that fails, anything still
::      left, or a check that cannot judge rebuilds it once, in this
::      deployment. "rebuild" rebuilds instead of pruning, "warn" only
::      reports. What a fresh env still has left over was installed on
::      purpose by something else: it is reported and recorded in
::      env\.envguard-leftovers, and never pruned or rebuilt for.
::
:: It trusts nothing in the repository: pip and the checker run without the
:: app's folder on sys.path (an app's own token.py or queue.py would shadow
:: the standard library), a requirements file or include that leads outside
:: the repository is refused before pip reads it, and nothing is written or
:: deleted through a link (see :RefuseLink and :Place).
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
::     "a & b" chain, and not at all in the set of a for nested in another).
::   * Wine parses an IF comparison after substituting the variables, so a
::     quote in the compared text can inject a command; and its delayed
::     expansion knows only plain !VAR! (no !VAR:~n,m!). Text from a file is
::     therefore never compared, echoed or %-expanded until it has been proven
::     to hold safe characters only (:ReadToken, :SafeList), and delayed
::     expansion stays off everywhere (so "!" in paths and files survives, too).
::   * findstr is a stub on Wine that succeeds whatever it is given: not used.
::   * a failed redirection leaves ERRORLEVEL at 0 on Wine, and a called .cmd
::     that exits 3 reports 1: results are checked with "if exist" or by reading
::     them back, and exit codes only against 0.
::   * "a && b || c" runs both branches on Wine: never used; every command is
::     followed by its own ERRORLEVEL check, on a line of its own (outside any
::     parenthesised block, where %ERRORLEVEL% would be expanded too early).
::   * Tools that may be .cmd files (KuduSync, the Python selector, the env's
::     python) are run with "call", or this script would never get control back.
::   * Wine shows a link to a folder as a reparse point ("l" in %%~a), but a
::     link to a file as the file itself, and a link to nothing not at all;
::     its del and rmdir /s delete what a link points to, and writing or
::     copying onto a link writes through it. So every file this script
::     writes is made in a folder of its own (:MakeWork; mkdir fails on any
::     name already there) and renamed into place (:Place), which replaces a
::     link instead of following it, and a file is deleted only once such a
::     rename has made it a plain file (:Forget).
:: ---------------------------------------------------------------------------

setlocal EnableExtensions DisableDelayedExpansion

:: This script's own path (inside a subroutine %~f0 names the label instead).
set "SELF=%~f0"

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
:: This deployment's own folder for the files it writes (:MakeWork).
set "WORK="
:: Set once this deployment has created the env: it is never rebuilt again.
set "ENV_FRESH="

:: The leftovers policy, an app setting: prune (the default), rebuild or warn;
:: any other value is refused and taken as rebuild, the safest (as deploy.sh).
set "ON_LEFTOVERS=prune"
if not defined ENVGUARD_ON_LEFTOVERS goto onLeftoversSet
if /i "%ENVGUARD_ON_LEFTOVERS%"=="prune" goto onLeftoversSet
set "ON_LEFTOVERS=rebuild"
if /i "%ENVGUARD_ON_LEFTOVERS%"=="rebuild" goto onLeftoversSet
set "ON_LEFTOVERS=warn"
if /i "%ENVGUARD_ON_LEFTOVERS%"=="warn" goto onLeftoversSet
set "ON_LEFTOVERS=rebuild"
echo envguard: warning: ENVGUARD_ON_LEFTOVERS is none of "prune", "rebuild" and "warn": refused, acting as rebuild, the safest.
:onLeftoversSet

:: The leftovers checker: beside this script, as envguard init writes them.
set "CHECKER=%~dp0envguard_check.py"
if not exist "%CHECKER%" set "CHECKER=%DEPLOYMENT_SOURCE%\envguard_check.py"

:: pip, the checker and the requirements files' check run isolated from the
:: app's own modules. Before the first line of a program runs, CPython puts
:: the folder of the script it was given first on sys.path (the app folder
:: for "python envguard_check.py" beside an app), or the working directory
:: for -c (and for -m; the app folder, where pip runs): Python/sysmodule.c
:: PySys_SetArgvEx in 2.7 to 3.7, called by Modules/main.c after site has
:: been imported; Python/pathconfig.c _PyPathConfig_ComputeSysPath0 from 3.8.
:: So an app's token.py, queue.py or email\ would shadow the standard library.
:: -I (3.4+) is not in 2.7 and also drops every PYTHON* setting, -P came
:: with 3.11: instead each runs as "python -c CODE", whose sys.path[0] is
:: that '' entry, deleted before anything is imported. The working directory
:: stays the app folder, so pip resolves -e . and ./pkg as before.
set "RUN_PIP=import sys; del sys.path[0]; import runpy; runpy.run_module('pip', run_name='__main__', alter_sys=True)"
set "RUN_FILE=import sys; del sys.path[0]; del sys.argv[0]; import runpy; runpy.run_path(sys.argv[0], run_name='__main__')"
set "RUN_SELF=import sys, io; del sys.path[0]; exec(''.join(l[5:] for l in io.open(sys.argv[1], encoding='utf-8') if l.startswith('::py ')))"

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

call :MakeWork
if %ERRORLEVEL% NEQ 0 goto error
:: A requirements.txt that is a link is refused here where cmd sees it as one
:: (Windows: any link; Wine: a link to a folder); :CheckRequirementFiles
:: follows every file pip reads, before pip.
call :RefuseLink "%APP_SOURCE%\requirements.txt"
if %ERRORLEVEL% NEQ 0 goto error

:: 2. Select the Python version. Kudu's selector (Kudu.Core/Scripts/
:: select_python_version.py) knows python-2.7, python-3.4 and python-3.6 only,
:: and fails on anything else with "Unsupported runtime".
call :SelectPythonVersion
if %ERRORLEVEL% EQU 0 goto selected
echo envguard: Kudu's Python selector rejected runtime.txt. Python on Windows App Service stops at 3.6: runtime.txt can ask for python-2.7, python-3.4 or python-3.6 only. For a newer Python, move the app to Linux App Service (envguard init --target linux writes its deploy.sh).
goto error
:selected
set "SENTINEL=%ENV_DIR%\azure.env.%PYTHON_RUNTIME%.txt"

:: env is read, written and deleted below: never through a link.
call :RefuseLink "%ENV_DIR%"
if %ERRORLEVEL% NEQ 0 goto error

:: 3. envguard: a new force-clean token deletes the environment.
set "MARKER_TOKEN="
if not exist "%DEPLOYMENT_SOURCE%\.envguard\force-clean" goto forgetToken
call :ReadToken "%DEPLOYMENT_SOURCE%\.envguard\force-clean" MARKER_TOKEN
if defined MARKER_TOKEN goto markerValid
echo envguard: warning: .envguard\force-clean does not hold a token of 64 lowercase hex characters; ignoring it (the environment is not rebuilt for it).
:forgetToken
:: The recorded token is the one the deployed commit carries. A commit
:: without one (a rollback to before the marker) forgets it: the marker,
:: deployed again later, then cleans again.
if not exist "%ENV_DIR%\.envguard-token" goto markerDone
echo envguard: this commit carries no marker: forgetting the one recorded in env\.envguard-token, so that a marker deployed again cleans again.
call :Forget "%ENV_DIR%\.envguard-token"
if %ERRORLEVEL% NEQ 0 goto error
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
:: mkdir fails on any name already there, a link to nothing (which "if exist"
:: does not see) included: a probe before python makes env.
mkdir "%ENV_DIR%" >nul 2>&1
if %ERRORLEVEL% NEQ 0 goto envBlocked
rmdir "%ENV_DIR%" >nul 2>&1
if exist "%ENV_DIR%" goto envBlocked
echo Creating %PYTHON_RUNTIME% virtual environment.
call "%PYTHON_EXE%" -m %PYTHON_ENV_MODULE% "%ENV_DIR%"
if %ERRORLEVEL% NEQ 0 goto error
type nul > "%SENTINEL%"
if not exist "%SENTINEL%" goto error
set "ENV_FRESH=1"
goto envReady
:envBlocked
echo envguard: cannot create "%ENV_DIR%": something cmd cannot see is there (a link to nothing?). Remove it in the Kudu console (del "%ENV_DIR%") and deploy again.
goto error
:envFound
echo Found compatible virtual environment.
:envReady

:: 5. Install packages, with the environment's own pip; PIP_* settings reach
:: it unchanged through the environment.
pushd "%APP_DIR%"
if %ERRORLEVEL% NEQ 0 goto error
call :CheckRequirementFiles
if %ERRORLEVEL% NEQ 0 goto error
echo Pip install requirements.
call "%ENV_DIR%\Scripts\python" -c "%RUN_PIP%" install -r requirements.txt
if %ERRORLEVEL% NEQ 0 goto error

:: 6. envguard: record the token only now that pip succeeded, and read it back
:: (a failed redirection does not set ERRORLEVEL everywhere).
if not defined MARKER_TOKEN goto tokenDone
set "RECORDED_TOKEN="
if exist "%ENV_DIR%\.envguard-token" call :ReadToken "%ENV_DIR%\.envguard-token" RECORDED_TOKEN
if "%RECORDED_TOKEN%"=="%MARKER_TOKEN%" goto tokenDone
> "%WORK%\envguard-token" echo %MARKER_TOKEN%
call :Place "%WORK%\envguard-token" "%ENV_DIR%\.envguard-token"
if %ERRORLEVEL% NEQ 0 goto error
call :ReadToken "%ENV_DIR%\.envguard-token" RECORDED_TOKEN
if not "%RECORDED_TOKEN%"=="%MARKER_TOKEN%" goto error
echo envguard: recorded marker %MARKER_TOKEN:~0,12%... in the virtual environment.
:tokenDone

:: 7. envguard: the leftovers check, by the env's own Python.
call :CheckLeftovers
if "%LEFTOVERS%"=="new" goto leftoversNew
if "%LEFTOVERS%"=="unknown" goto leftoversUnknown
if not "%LEFTOVERS%"=="known" goto leftoversDone
echo envguard: still left over since the last fresh build, so installed on purpose by something else; not pruned or rebuilt for. List them in ENVGUARD_KEEP to silence this:
type "%LEFTOVERS_LIST%"
goto leftoversDone
:leftoversUnknown
:: What cannot be judged is rebuilt once (unless warn): a fresh env holds
:: what the requirements install, whatever the check could not say.
if defined ENV_FRESH goto leftoversKept
if "%ON_LEFTOVERS%"=="warn" goto leftoversKept
echo envguard: rebuilding the virtual environment once, so that it holds only what requirements.txt installs (ENVGUARD_ON_LEFTOVERS=%ON_LEFTOVERS%).
goto leftoversRebuild
:leftoversKept
echo envguard: the virtual environment is kept as it is.
goto leftoversDone
:leftoversNew
echo envguard: installed, but no longer reached from requirements.txt:
type "%LEFTOVERS_LIST%"
if defined ENV_FRESH goto leftoversRecord
if "%ON_LEFTOVERS%"=="warn" goto leftoversWarn
echo envguard: no marker scheduled this (was the hook bypassed?); "envguard doctor" in a clone says whether envguard still runs on push there (a hook manager installed after it may have taken pre-push over) and prints the one command that fixes it.
if "%ON_LEFTOVERS%"=="rebuild" goto leftoversRebuildOnce
call :Prune
if defined PRUNED goto leftoversDone
:leftoversRebuildOnce
echo envguard: rebuilding the virtual environment once.
:leftoversRebuild
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
echo envguard: the virtual environment was built in this deployment, so something else installed these on purpose: recorded in env\.envguard-leftovers and never pruned or rebuilt for.
call :RecordLeftovers
if %ERRORLEVEL% NEQ 0 goto error
:leftoversDone

:: 8. web.<ver>.config wins over web.config: copied into the work folder,
:: then renamed into place (copying onto web.config would write through a
:: link there).
if not exist "%APP_SOURCE%\web.%PYTHON_VER%.config" goto webConfigDone
call :RefuseLink "%APP_SOURCE%\web.%PYTHON_VER%.config"
if %ERRORLEVEL% NEQ 0 goto error
echo Overwriting web.config with web.%PYTHON_VER%.config
copy /y "%APP_SOURCE%\web.%PYTHON_VER%.config" "%WORK%\web.config" >nul
if %ERRORLEVEL% NEQ 0 goto error
call :Place "%WORK%\web.config" "%DEPLOYMENT_TARGET%\web.config"
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
set "ENVGUARD_PROBE=%WORK%\token.probe"
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

:MakeWork
:: WORK: a folder of this deployment's own inside wwwroot, for every file it
:: writes there or in env before :Place renames it into place: a rename on
:: one volume replaces a link at the destination, where writing or copying
:: onto it writes what it points to (Microsoft, "Symbolic Link Effects on
:: File Systems Functions": CopyFile overwrites a link's target), and on App
:: Service the temp folder is another volume than wwwroot. mkdir fails on any
:: name already there, even one cmd cannot see, so nothing in it is anyone
:: else's.
set "ENVGUARD_TRY=0"
:makeWorkTry
set /a ENVGUARD_TRY+=1
if %ENVGUARD_TRY% GTR 9 goto makeWorkFailed
set "ENVGUARD_CANDIDATE=%DEPLOYMENT_TARGET%\.envguard-tmp.%RANDOM%%RANDOM%"
mkdir "%ENVGUARD_CANDIDATE%" >nul 2>&1
if %ERRORLEVEL% NEQ 0 goto makeWorkTry
set "WORK=%ENVGUARD_CANDIDATE%"
exit /b 0
:makeWorkFailed
echo envguard: cannot create a folder of its own in "%DEPLOYMENT_TARGET%" (.envguard-tmp.*).
exit /b 1

:DropWork
if not defined WORK exit /b 0
rmdir /s /q "%WORK%" >nul 2>&1
set "WORK="
exit /b 0

:IsLinkAttr
:: %1 = an attribute string (%%~a: letters and dashes only). Sets
:: ENVGUARD_IS_LINK when it holds "l", the reparse-point attribute: a
:: symlink or junction on Windows, a link to a folder on Wine.
set "ENVGUARD_ATTR=%~1"
if not defined ENVGUARD_ATTR exit /b 0
if not "%ENVGUARD_ATTR:l=%"=="%ENVGUARD_ATTR%" set "ENVGUARD_IS_LINK=1"
exit /b 0

:RefuseLink
:: %1 = a path this script reads, writes or deletes. Exit code 1, and says so,
:: when it is a link. Leaves its attributes in ENVGUARD_ATTRS (empty when
:: nothing cmd can see is there).
set "ENVGUARD_ATTRS="
for %%I in ("%~1") do set "ENVGUARD_ATTRS=%%~aI"
set "ENVGUARD_IS_LINK="
call :IsLinkAttr %ENVGUARD_ATTRS%
if not defined ENVGUARD_IS_LINK exit /b 0
echo envguard: "%~1" is a link (a symlink or junction): deploy.cmd writes, deletes and reads nothing through a link. Remove the link itself in the Kudu console (rmdir "%~1" for a folder, del "%~1" for a file: neither touches what it points to) and deploy again.
exit /b 1

:RefuseLinksIn
:: %1 = a folder about to be deleted with rmdir /s, which on Wine deletes
:: what a link inside points to: a link to a folder anywhere inside is
:: refused first. dir /a:d lists hidden folders too (for /d /r skips them).
set "ENVGUARD_LINK="
for /f "delims=" %%D in ('dir /s /b /a:d "%~1" 2^>nul') do (
  set "ENVGUARD_IS_LINK="
  call :IsLinkAttr %%~aD
  if defined ENVGUARD_IS_LINK set "ENVGUARD_LINK=%%D"
)
if not defined ENVGUARD_LINK exit /b 0
echo envguard: "%ENVGUARD_LINK%" is a link (a symlink or junction) inside "%~1", which is about to be deleted: deploy.cmd deletes nothing through a link. Remove the link itself in the Kudu console (rmdir "%ENVGUARD_LINK%") and deploy again.
exit /b 1

:Place
:: %1 = a file in WORK, %2 = where it belongs. Renamed there, replacing a file
:: (or a link to one) but never a folder or a link cmd can see.
call :RefuseLink "%~2"
if %ERRORLEVEL% NEQ 0 exit /b 1
if not defined ENVGUARD_ATTRS goto placeMove
if not "%ENVGUARD_ATTRS:~0,1%"=="d" goto placeMove
echo envguard: "%~2" is a folder where deploy.cmd writes a file: move it away and deploy again.
exit /b 1
:placeMove
move /y "%~1" "%~2" >nul 2>&1
if exist "%~1" exit /b 1
if not exist "%~2" exit /b 1
exit /b 0

:Forget
:: %1 = a file to delete. A plain file of this script's own is renamed over
:: it first, so that del removes a file, never what a link points to; even
:: a link to nothing, which "if exist" does not see (and Wine's rmdir /s
:: cannot delete). A folder (not a link) of that name is left alone.
if not exist "%~dp1" exit /b 0
call :RefuseLink "%~1"
if %ERRORLEVEL% NEQ 0 exit /b 1
if not defined ENVGUARD_ATTRS goto forgetPlace
if "%ENVGUARD_ATTRS:~0,1%"=="d" exit /b 0
:forgetPlace
type nul > "%WORK%\forget"
call :Place "%WORK%\forget" "%~1"
if %ERRORLEVEL% NEQ 0 exit /b 1
del /f /q "%~1" >nul 2>&1
if exist "%~1" exit /b 1
exit /b 0

:DeleteEnv
:: A running site keeps its .pyd files open, and rmdir then leaves part of env
:: behind while still reporting success. Take the site offline first
:: (app_offline.htm stops the worker; it stays until pip is done, so the site
:: does not start on a half-built env), then check that env is really gone.
:: An app_offline.htm that was already there is the owner's: left alone.
call :RefuseLink "%ENV_DIR%"
if %ERRORLEVEL% NEQ 0 exit /b 1
call :RefuseLinksIn "%ENV_DIR%"
if %ERRORLEVEL% NEQ 0 exit /b 1
call :RefuseLink "%DEPLOYMENT_TARGET%\app_offline.htm"
if %ERRORLEVEL% NEQ 0 exit /b 1
if exist "%DEPLOYMENT_TARGET%\app_offline.htm" goto deleteEnvOffline
> "%WORK%\app_offline.htm" echo ^<!DOCTYPE html^>^<title^>Updating^</title^>^<p^>This site is being updated and will be back shortly.^</p^>
call :Place "%WORK%\app_offline.htm" "%DEPLOYMENT_TARGET%\app_offline.htm"
if %ERRORLEVEL% NEQ 0 exit /b 1
set "OFFLINE_BY_ENVGUARD=1"
:deleteEnvOffline
:: The files this script wrote in env are made plain files first: Wine's
:: rmdir /s deletes what a link to a file points to, and shows such a link
:: as the file itself.
call :Forget "%ENV_DIR%\.envguard-token"
if %ERRORLEVEL% NEQ 0 exit /b 1
call :Forget "%ENV_DIR%\.envguard-leftovers"
if %ERRORLEVEL% NEQ 0 exit /b 1
call :Forget "%SENTINEL%"
if %ERRORLEVEL% NEQ 0 exit /b 1
rmdir /s /q "%ENV_DIR%" >nul 2>&1
if not exist "%ENV_DIR%" exit /b 0
echo envguard: "%ENV_DIR%" is still in use; retrying in 5 seconds.
ping -n 6 127.0.0.1 >nul
rmdir /s /q "%ENV_DIR%" >nul 2>&1
if not exist "%ENV_DIR%" exit /b 0
echo envguard: could not delete "%ENV_DIR%": stop the site and deploy again.
exit /b 1

:CheckRequirementFiles
:: Refuses, before pip reads them, requirements files that lead outside the
:: repository, as the hook does: pip would read (and print into the log) a
:: file that is not in the commit. The env's own Python runs the "::py" lines
:: at the end of this file: pip's own parser follows -r and -c, and each file
:: it opens is checked first.
call "%ENV_DIR%\Scripts\python" -c "%RUN_SELF%" "%SELF%" "%DEPLOYMENT_SOURCE%" "%APP_SOURCE%\requirements.txt"
if %ERRORLEVEL% NEQ 0 exit /b 1
exit /b 0

:SafeList
:: %1 = a file of "name==version" or "name" lines. Sets ENVGUARD_UNSAFE when
:: a line holds anything but letters, digits and . = + ! _ * - (for /f
:: yields a token only for such characters), so that its names are safe to
:: pass to call, echo and compare.
set "ENVGUARD_UNSAFE="
for /f "usebackq delims=0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.=+!_*-" %%X in ("%~1") do (
  set "ENVGUARD_UNSAFE=1"
)
exit /b 0

:CheckLeftovers
:: Runs the checker in the app folder and sets LEFTOVERS to clean, unchecked
:: (no checker), unknown (it cannot judge), known (only what
:: env\.envguard-leftovers lists) or new; LEFTOVERS_LIST names the list. The
:: verdict is read from the list, not from the exit code alone (1 leftovers,
:: 3 cannot judge): Wine reports every non-zero exit of a .cmd as 1. The
:: checker prints only PEP 503 names and versions; :SafeList makes sure.
set "LEFTOVERS=unknown"
set "LEFTOVERS_LIST=%WORK%\leftovers.txt"
del /f /q "%LEFTOVERS_LIST%" >nul 2>&1
if exist "%CHECKER%" goto checkerFound
set "LEFTOVERS=unchecked"
echo envguard: warning: envguard_check.py is not beside deploy.cmd (envguard init puts it there): leftovers not checked.
exit /b 0
:checkerFound
set "CHECKER_CONFIG="
if exist "%DEPLOYMENT_SOURCE%\envguard.toml" set "CHECKER_CONFIG=%DEPLOYMENT_SOURCE%\envguard.toml"
if defined CHECKER_CONFIG goto checkWithConfig
call "%ENV_DIR%\Scripts\python" -c "%RUN_FILE%" "%CHECKER%" -r requirements.txt --keep "%ENVGUARD_KEEP%" > "%LEFTOVERS_LIST%"
goto checked
:checkWithConfig
call "%ENV_DIR%\Scripts\python" -c "%RUN_FILE%" "%CHECKER%" -r requirements.txt --keep "%ENVGUARD_KEEP%" --config "%CHECKER_CONFIG%" > "%LEFTOVERS_LIST%"
:checked
if %ERRORLEVEL% EQU 0 goto checkClean
set "LIST_SIZE=0"
for %%S in ("%LEFTOVERS_LIST%") do set "LIST_SIZE=%%~zS"
if %LIST_SIZE% GTR 0 goto checkListed
echo envguard: the leftovers check cannot judge this environment (see above).
exit /b 0
:checkClean
set "LEFTOVERS=clean"
echo envguard: leftovers check: every installed package is reached from requirements.txt.
exit /b 0
:checkListed
call :SafeList "%LEFTOVERS_LIST%"
if not defined ENVGUARD_UNSAFE goto checkListSafe
echo envguard: the leftovers check printed something other than names and versions, so it cannot judge this environment:
type "%LEFTOVERS_LIST%"
exit /b 0
:checkListSafe
set "LEFTOVERS=known"
for /f "usebackq tokens=1 delims==" %%N in ("%LEFTOVERS_LIST%") do (
  call :IsKnownLeftover %%N
)
exit /b 0

:IsKnown
:: %1 = a canonical name; KNOWN is set when env\.envguard-leftovers lists it.
:: A file there that holds anything but names is no list of this script's.
set "KNOWN="
if not exist "%ENV_DIR%\.envguard-leftovers" exit /b 0
call :SafeList "%ENV_DIR%\.envguard-leftovers"
if defined ENVGUARD_UNSAFE exit /b 0
for /f "usebackq delims=" %%K in ("%ENV_DIR%\.envguard-leftovers") do (
  if "%%K"=="%~1" set "KNOWN=1"
)
exit /b 0

:IsKnownLeftover
:: %1 = a canonical name; LEFTOVERS becomes new unless it is known.
call :IsKnown %1
if not defined KNOWN set "LEFTOVERS=new"
exit /b 0

:Prune
:: Uninstalls, with the env's own pip, exactly the new leftovers (not what
:: env\.envguard-leftovers lists: a fresh env had those too), then checks
:: again. PRUNED is set when nothing new is left; otherwise it says why, and
:: the caller rebuilds. The checker never lists pip, setuptools, wheel,
:: ENVGUARD_KEEP or keep, nor what they require.
set "PRUNED="
set "PRUNE_NAMES="
for /f "usebackq tokens=1 delims==" %%N in ("%LEFTOVERS_LIST%") do (
  call :AddPruneName %%N
)
echo envguard: ENVGUARD_ON_LEFTOVERS=prune: uninstalling them in place:%PRUNE_NAMES%
call "%ENV_DIR%\Scripts\python" -c "%RUN_PIP%" uninstall -y%PRUNE_NAMES%
if %ERRORLEVEL% EQU 0 goto pruneCheck
echo envguard: pip could not uninstall them (see above).
exit /b 0
:pruneCheck
call :CheckLeftovers
if "%LEFTOVERS%"=="clean" goto pruned
if "%LEFTOVERS%"=="known" goto pruned
if not "%LEFTOVERS%"=="new" exit /b 0
echo envguard: still installed after pruning:
type "%LEFTOVERS_LIST%"
exit /b 0
:pruned
set "PRUNED=1"
echo envguard: pruned in place: the virtual environment holds what requirements.txt installs.
exit /b 0

:AddPruneName
call :IsKnown %1
if not defined KNOWN set "PRUNE_NAMES=%PRUNE_NAMES% %~1"
exit /b 0

:RecordLeftovers
:: The names of the list into env\.envguard-leftovers, through a file in
:: WORK renamed into place, read back before it counts.
set "RECORD=%WORK%\envguard-leftovers"
del /f /q "%RECORD%" >nul 2>&1
for /f "usebackq tokens=1 delims==" %%N in ("%LEFTOVERS_LIST%") do (
  >> "%RECORD%" echo %%N
)
if not exist "%RECORD%" exit /b 1
call :Place "%RECORD%" "%ENV_DIR%\.envguard-leftovers"
if %ERRORLEVEL% NEQ 0 exit /b 1
exit /b 0

:BringOnline
if not defined OFFLINE_BY_ENVGUARD exit /b 0
set "OFFLINE_BY_ENVGUARD="
call :Forget "%DEPLOYMENT_TARGET%\app_offline.htm"
if %ERRORLEVEL% EQU 0 exit /b 0
echo envguard: could not remove "%DEPLOYMENT_TARGET%\app_offline.htm": the site stays offline.
exit /b 1

:: ---------------------------------------------------------------------------
:error
call :BringOnline
call :DropWork
echo An error has occurred during web site deployment.
endlocal
exit /b 1

:end
call :DropWork
echo Finished successfully.
endlocal
exit /b 0

:: ---------------------------------------------------------------------------
:: The requirements files' check (:CheckRequirementFiles), in Python 2.7 and
:: 3.4+: the env's Python runs the lines below that start with "::py " (to
:: cmd they are comments after the last exit). pip's own parser reads the
:: requirements, following -r and -c relative to the including file; each
:: file it opens is checked first. One that resolves outside the repository
:: (a link, an absolute path, ..), or is named by a file: URL, is refused;
:: an include by http(s) URL is left to pip. Any other error is pip's to
:: report: it reads the same files next.
:: ---------------------------------------------------------------------------
::py import os, re, sys
::py root, top = sys.argv[2], sys.argv[3]
::py def real(path):
::py     return os.path.normcase(os.path.realpath(path))
::py inside = real(root).rstrip(os.sep) + os.sep
::py def leaves(path):
::py     full = os.path.normcase(os.path.abspath(path))
::py     if not (real(full) + os.sep).startswith(inside):
::py         return True
::py     # A Python whose realpath resolves no links (on Windows before 3.8 it
::py     # is abspath) cannot tell where one leads: a link on the way leaves.
::py     while (full + os.sep).startswith(inside) and full + os.sep != inside:
::py         if os.path.islink(full) and real(full) == full:
::py             return True
::py         full = os.path.dirname(full)
::py     return False
::py class Refused(Exception):
::py     pass
::py class NoNetwork(object):
::py     def get(self, *args, **kwargs):
::py         raise IOError("not read here")
::py try:
::py     from pip._internal.req import req_file
::py except ImportError:
::py     from pip.req import req_file
::py read = req_file.get_file_content
::py def checked(url, *args, **kwargs):
::py     if re.match(r"(?i)https?:", url):
::py         return url, u""
::py     if re.match(r"(?i)file:", url) or leaves(url):
::py         raise Refused(url)
::py     return read(url, *args, **kwargs)
::py req_file.get_file_content = checked
::py try:
::py     for _ in req_file.parse_requirements(top, session=NoNetwork()):
::py         pass
::py except Refused as err:
::py     path = str(err)
::py     try:
::py         path = os.path.relpath(path, root)
::py     except ValueError:
::py         pass
::py     print("envguard: %s leads outside the repository (a link, an absolute path or a file: URL): pip would read a file that is not in the commit. Refused: keep requirements files and their -r and -c includes in the repository." % path)
::py     sys.exit(1)
::py except Exception:
::py     pass
