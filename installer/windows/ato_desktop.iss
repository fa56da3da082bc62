; Inno Setup 6 script: a per-user installer for ATO Desktop (no administrator rights needed).
;
; Build the bundle first (python installer\build.py), then from the repository root:
;   iscc /DAppVersion=0.1.0 installer\windows\ato_desktop.iss
; The installer is written to dist\installer\ATO-Desktop-<version>-Setup.exe.
;
; What it does: installs dist\ato-desktop into %LOCALAPPDATA%\Programs\ATO Desktop, adds a
; Start-menu shortcut (and optionally a desktop one), registers .atodb files to open in the app
; (per user, under HKCU\Software\Classes) and an uninstaller in Settings > Apps. The user's
; databases and backups live elsewhere (%LOCALAPPDATA%\ATO Desktop) and are never removed.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "ATO Desktop"
#define AppExe "ato-desktop.exe"
#define ProgId "ATODesktop.Database"
#define Src "..\..\dist\ato-desktop"

[Setup]
AppId={{6A0C2B51-7F3E-4C1D-9B2E-8D5A1E0F4C37}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=ATO Desktop
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist\installer
OutputBaseFilename=ATO-Desktop-{#AppVersion}-Setup
SetupIconFile=..\..\resources\icons\ato-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "associate"; Description: "Open .atodb timetable databases with {#AppName}"; GroupDescription: "File types:"

[Files]
Source: "{#Src}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{#AppName} (demo department)"; Filename: "{app}\{#AppExe}"; Parameters: "--demo"
Name: "{group}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; Per-user file association (HKA = HKCU for a per-user install).
Root: HKA; Subkey: "Software\Classes\.atodb"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue; Tasks: associate
Root: HKA; Subkey: "Software\Classes\.atodb\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "ATO Desktop database"; Flags: uninsdeletekey; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: associate
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" --db ""%1"""; Tasks: associate
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".atodb"; ValueData: ""; Flags: uninsdeletekey

[Run]
; Compile the optimizer's kernels for this computer now (about a minute, once), so that the first
; Optimize starts at once; the app would otherwise do it in the background on its first start.
; The windowed exe on purpose: numba stamps its cache with the executable that compiled it, so kernels
; compiled by ato-desktop-cli.exe would be compiled again by the app (see engine/warmup.py).
Filename: "{app}\{#AppExe}"; Parameters: "warm-up --quiet --if-needed"; StatusMsg: "Preparing the optimizer for this computer (about a minute)..."; Flags: runhidden waituntilterminated
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; numba's compiled-kernel cache (rebuilt on demand); the user's databases are kept.
Type: filesandordirs; Name: "{localappdata}\ATO Desktop\Cache\numba"
