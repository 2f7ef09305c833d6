-- Orthanc auto-routing for the BOTM listener: every newly stored ultrasound cine (Ultrasound
-- Multi-frame or Ultrasound Image Storage) is sent by C-STORE to the modality "botm"
-- (declared in Orthanc's "DicomModalities", e.g. "botm": ["BOTMLISTEN", "10.0.0.5", 11112]).
-- The SEG and SR that come back are other SOP classes and are not routed again.
-- Load it with "LuaScripts": ["/etc/orthanc/route-ultrasound-to-botm.lua"].
function OnStoredInstance(instanceId, tags, metadata, origin)
  local sop = tags['SOPClassUID']
  if sop == '1.2.840.10008.5.1.4.1.1.3.1' or sop == '1.2.840.10008.5.1.4.1.1.6.1' then
    SendToModality(instanceId, 'botm')
  end
end
