; Inno Setup 6 script for NemoDesk: a per-user installer (no admin rights) of the PyInstaller
; folder dist\NemoDesk\, with a Start-menu entry, an optional desktop shortcut, an uninstaller
; and "Open with" entries for the clips the app accepts.
;
; Name, version, publisher and the extension list are not typed here: build_installer.py
; passes them from the package (packaging/bundle.py) as /D defines:
;   python packaging/windows/build_installer.py --installer
; The defaults below only let the script compile on its own (e.g. in the Inno Setup IDE).

#ifndef AppName
  #define AppName "NemoDesk"
#endif
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef AppVersionNumeric
  #define AppVersionNumeric "0.0.0.0"
#endif
#ifndef AppPublisher
  #define AppPublisher "NemoDesk"
#endif
#ifndef AppDescription
  #define AppDescription "Original, royalty-free music for your video"
#endif
#ifndef AppExtensions
  #define AppExtensions "mp4;mov;m4v;avi;webm;mkv;mts;m2ts;3gp;jpg;jpeg;png;gif;webp;mp3;wav;m4a;aac"
#endif
#define AppExeName AppName + ".exe"
#define AppProgId AppName + ".Media"

[Setup]
; AppId identifies the product across versions (upgrades, uninstall): never change it.
AppId={{7098BA79-86FB-44FF-842D-B2F3A01DFBC6}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
AppComments={#AppDescription}
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductVersion={#AppVersionNumeric}
VersionInfoProductTextVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoCompany={#AppPublisher}
VersionInfoDescription={#AppName} Setup
; Paths below are relative to the repository root.
SourceDir=..\..
OutputDir=dist
OutputBaseFilename={#AppName}-{#AppVersion}-Windows-setup
SetupIconFile=build\icons\NemoDesk.ico
; Per-user install: no UAC prompt, files under %LOCALAPPDATA%\Programs like other user apps.
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExeName}
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
CloseApplications=yes
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
#ifexist AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl"
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "dist\{#AppName}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Comment: "{#AppDescription}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Registry]
; One ProgID that opens a file in NemoDesk; each accepted extension lists it under
; OpenWithProgids, so NemoDesk appears in "Open with" without taking over the default app.
; Everything is under HKCU (per user) and removed by the uninstaller.
Root: HKCU; Subkey: "Software\Classes\{#AppProgId}"; ValueType: string; ValueName: ""; ValueData: "{#AppName} media"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\{#AppProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExeName},0"
Root: HKCU; Subkey: "Software\Classes\{#AppProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExeName}"" ""%1"""
Root: HKCU; Subkey: "Software\Classes\Applications\{#AppExeName}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\Applications\{#AppExeName}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExeName}"" ""%1"""

; The same two lines for every extension of AppExtensions ("mp4;mov;..."), split here at
; compile time so the list is never typed twice.
#define Rest ""
#define Ext ""
#sub AssociateExtension
  #define Ext = Copy(Rest, 1, Pos(";", Rest) - 1)
  #define Rest = Copy(Rest, Pos(";", Rest) + 1)
  #if Ext != ""
Root: HKCU; Subkey: "Software\Classes\.{#Ext}\OpenWithProgids"; ValueType: string; ValueName: "{#AppProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKCU; Subkey: "Software\Classes\Applications\{#AppExeName}\SupportedTypes"; ValueType: string; ValueName: ".{#Ext}"; ValueData: ""
  #endif
#endsub
#for {Rest = AppExtensions + ";"; Len(Rest) > 0; ""} AssociateExtension

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent
