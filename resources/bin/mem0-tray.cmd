@echo off
rem The mem0-tray command inside the packaged app (Claude Desktop: mem0-tray.cmd mcp stdio).
rem Runs the bundled CLI with the app's own Electron binary acting as Node.
setlocal
set "ELECTRON_RUN_AS_NODE=1"
"%~dp0..\..\Mem0 Tray.exe" "%~dp0..\app.asar\dist\cli.js" %*
