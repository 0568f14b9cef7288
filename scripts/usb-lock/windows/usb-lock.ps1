<#
.SYNOPSIS
  Lock USB mass storage on a Windows agent PC and report the lock state to
  the call center (R10). Keyboards, mice and headsets keep working.

.DESCRIPTION
  Lock    stops the USB storage driver from starting (USBSTOR Start=4) and sets
          the removable-storage policies (deny read and write on removable
          disks, deny all removable storage classes), after saving the values
          there were before, once, to the backup file.
  Unlock  puts back exactly the saved values: a value that did not exist is
          removed again, and so is a policy key Lock created.
  Status  prints state=locked|unlocked|partial and one line per setting;
          exit code 0 locked, 1 unlocked, 2 partial.
  Report  posts the status to <Server>/api/v1/workstations/report with the
          workstation's token (issued by POST /api/v1/workstations).
  Run as SYSTEM or an administrator. Roll-out: see ..\README.md.

.EXAMPLE
  powershell.exe -NoProfile -ExecutionPolicy Bypass -File usb-lock.ps1 -Action Lock
  powershell.exe -NoProfile -ExecutionPolicy Bypass -File usb-lock.ps1 -Action Report -Server https://cc.bank.local
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][ValidateSet('Lock', 'Unlock', 'Status', 'Report')][string]$Action,
    [string]$Server = $env:CC_SERVER,
    [string]$TokenFile = (Join-Path $env:ProgramData 'CallCenter\workstation.token'),
    [string]$Name = $env:COMPUTERNAME,
    [string]$BackupFile = (Join-Path $env:ProgramData 'CallCenter\usb-lock-backup.json')
)
Set-StrictMode -Version 3
$ErrorActionPreference = 'Stop'
$Version = 1

# The registry values this script changes, one per line. usblock_test.go
# parses this table and checks paths, names and values. Lock writes Lock;
# Unlock restores what was saved before the first Lock, or Restore when
# nothing was saved (a number, or $null: remove the value).
$Settings = @(
    @{ Path = 'HKLM:\SYSTEM\CurrentControlSet\Services\USBSTOR'; Name = 'Start'; Type = 'DWord'; Lock = 4; Restore = 3 }
    @{ Path = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices\{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}'; Name = 'Deny_Read'; Type = 'DWord'; Lock = 1; Restore = $null }
    @{ Path = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices\{53f5630d-b6bf-11d0-94f2-00a0c91efb8b}'; Name = 'Deny_Write'; Type = 'DWord'; Lock = 1; Restore = $null }
    @{ Path = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\RemovableStorageDevices'; Name = 'Deny_All'; Type = 'DWord'; Lock = 1; Restore = $null }
)

# Get-Current reads a setting's value, $null when it does not exist.
function Get-Current($s) {
    $item = Get-ItemProperty -Path $s.Path -Name $s.Name -ErrorAction SilentlyContinue
    if ($null -eq $item) { return $null }
    return $item.($s.Name)
}

# Save-Backup records, before the first Lock only, what each setting and its
# key were, so that Unlock restores the PC exactly.
function Save-Backup {
    if (Test-Path -LiteralPath $BackupFile) { return }
    $saved = foreach ($s in $Settings) {
        $v = Get-Current $s
        [pscustomobject]@{ Path = $s.Path; Name = $s.Name; KeyExisted = (Test-Path -LiteralPath $s.Path); Existed = ($null -ne $v); Value = $v }
    }
    New-Item -ItemType Directory -Force -Path (Split-Path -Parent $BackupFile) | Out-Null
    ConvertTo-Json -InputObject @($saved) | Set-Content -LiteralPath $BackupFile -Encoding UTF8
    # Only SYSTEM and administrators may read or change the backup.
    icacls.exe $BackupFile /inheritance:r /grant:r 'SYSTEM:F' 'Administrators:F' | Out-Null
}

function Invoke-Lock {
    Save-Backup
    foreach ($s in $Settings) {
        if (-not (Test-Path -LiteralPath $s.Path)) { New-Item -Path $s.Path -Force | Out-Null }
        New-ItemProperty -LiteralPath $s.Path -Name $s.Name -PropertyType $s.Type -Value $s.Lock -Force | Out-Null
    }
    Write-Output 'locked'
}

function Invoke-Unlock {
    $saved = @()
    if (Test-Path -LiteralPath $BackupFile) { $saved = @(Get-Content -LiteralPath $BackupFile -Raw | ConvertFrom-Json) }
    foreach ($s in $Settings) {
        $b = $saved | Where-Object { $_.Path -eq $s.Path -and $_.Name -eq $s.Name } | Select-Object -First 1
        if ($null -ne $b) { $existed = $b.Existed; $value = $b.Value } else { $existed = ($null -ne $s.Restore); $value = $s.Restore }
        if ($existed) {
            New-ItemProperty -LiteralPath $s.Path -Name $s.Name -PropertyType $s.Type -Value $value -Force | Out-Null
        } elseif (Test-Path -LiteralPath $s.Path) {
            Remove-ItemProperty -LiteralPath $s.Path -Name $s.Name -ErrorAction SilentlyContinue
        }
    }
    # Keys Lock created go again, deepest first, if nothing else was put in them.
    foreach ($b in ($saved | Where-Object { -not $_.KeyExisted } | Sort-Object { $_.Path.Length } -Descending)) {
        $key = Get-Item -LiteralPath $b.Path -ErrorAction SilentlyContinue
        if ($null -ne $key -and $key.SubKeyCount -eq 0 -and $key.ValueCount -eq 0) { Remove-Item -LiteralPath $b.Path }
    }
    Remove-Item -LiteralPath $BackupFile -ErrorAction SilentlyContinue
    Write-Output 'unlocked'
}

# Get-LockState compares each setting with its Lock value.
function Get-LockState {
    $details = [ordered]@{}
    $locked = 0
    foreach ($s in $Settings) {
        $v = Get-Current $s
        $details[$s.Name.ToLower()] = if ($null -eq $v) { 'absent' } else { [string]$v }
        if ($v -eq $s.Lock) { $locked++ }
    }
    # Storage plugged in before the lock keeps its driver until removed.
    $active = @(Get-PnpDevice -PresentOnly -ErrorAction SilentlyContinue | Where-Object { $_.InstanceId -like 'USBSTOR\*' -and $_.Status -eq 'OK' })
    $details['usbstor_devices_present'] = [string]$active.Count
    $state = if ($locked -eq $Settings.Count) { 'locked' } elseif ($locked -eq 0) { 'unlocked' } else { 'partial' }
    return [pscustomobject]@{ State = $state; Details = $details }
}

function Invoke-Status {
    $st = Get-LockState
    Write-Output "state=$($st.State)"
    foreach ($k in $st.Details.Keys) { Write-Output "$k=$($st.Details[$k])" }
    switch ($st.State) { 'locked' { exit 0 } 'unlocked' { exit 1 } default { exit 2 } }
}

function Invoke-Report {
    if (-not $Server) { throw 'Report needs -Server https://... (or the CC_SERVER environment variable)' }
    if (-not (Test-Path -LiteralPath $TokenFile)) { throw "cannot read the workstation token file $TokenFile (see README: issuing tokens)" }
    $token = (Get-Content -LiteralPath $TokenFile -TotalCount 1).Trim()
    $st = Get-LockState
    $st.Details['script_version'] = [string]$Version
    $st.Details['os'] = [string][Environment]::OSVersion.Version
    $body = @{ name = $Name.ToLower(); state = $st.State; platform = 'windows'; details = $st.Details } | ConvertTo-Json -Depth 3
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
    $uri = $Server.TrimEnd('/') + '/api/v1/workstations/report'
    $r = Invoke-RestMethod -Method Post -Uri $uri -Headers @{ Authorization = "Bearer $token" } `
        -ContentType 'application/json; charset=utf-8' -Body ([Text.Encoding]::UTF8.GetBytes($body)) -TimeoutSec 30
    Write-Output "reported state=$($r.state)"
}

switch ($Action) {
    'Lock' { Invoke-Lock }
    'Unlock' { Invoke-Unlock }
    'Status' { Invoke-Status }
    'Report' { Invoke-Report }
}
