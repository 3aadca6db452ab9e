/**
 * ICE's event callback setting is one per account and region, shared with every other ICE feature the account uses
 * (docs/ice-api.md#callback-setting), so the receiver sees their events too. These are the event types ICE documents
 * for other features (docs/ice-api.md#callback-events): never a voice-clone callback, whatever their MessageBody
 * carries, so they cost no ICE and no Temporal call.
 */
export const ICE_FOREIGN_EVENT_TYPES: ReadonlySet<string> = new Set([
  'FileUploadComplete',
  'UploadByURLComplete',
  'ImageUploadComplete',
  'AttachedMediaUploadComplete',
  'RegisterStreamComplete',
  'StreamUploadComplete',
  'UploadStreamByURLComplete',
  'CreateAuditComplete',
  'RegisterMediaComplete',
  'DeleteMediaComplete',
  'MediaBaseChangeComplete',
  'WorkflowTaskComplete',
  'VideoAnalysisComplete',
  'SnapshotComplete',
  'DynamicImageComplete',
  'TranscodeComplete',
  'TranscodeParentComplete',
  'MediaConvertComplete',
  'MediaConvertOutputGroupComplete',
  'MediaConvertOutputComplete',
  'AIMediaAuditComplete',
  'AIProduceComplete',
  'MediaAiAnalysisComplete',
  'ProduceMediaComplete',
  'BatchProduceMediaComplete',
  'LiveRecordFileCreated',
  'LiveRecordTaskStatus',
  'LiveSnapshotFileCreated',
]);
