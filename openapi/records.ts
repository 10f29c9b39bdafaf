/**
 * TypeScript names for the contract's payload shapes (the decoded JSON form, which the XML codec also
 * produces). They mirror openapi/netwrix-auditor-api.yaml; the validators, not these types, are the check.
 */
export interface MonitoringPlanRef {
  Name: string
  ID?: string
}

export interface DetailInput {
  PropertyName: string
  Before?: string
  After?: string
}

export interface DetailOutput extends DetailInput {
  Message?: string
}

export interface ActivityRecordInput {
  Who: string
  Action: string
  What: string
  When: string
  Where: string
  ObjectType: string
  MonitoringPlan?: MonitoringPlanRef
  DataSource?: string
  Item?: { Name: string }
  Workstation?: string
  IsArchiveOnly?: boolean
  DetailList?: DetailInput[]
}

/** An output record: the input fields, plus the RID and Detail messages the server adds. */
export interface ActivityRecordOutput extends Omit<ActivityRecordInput, 'DetailList'> {
  RID?: string
  DetailList?: DetailOutput[]
}

export interface ActivityRecordListResponse {
  ActivityRecordList: ActivityRecordOutput[]
  ContinuationMark?: string
}

/** A filter's value: the operand alone (default operator), an operator-keyed object, or an array of both. */
export type FilterOperand = string | Record<string, string>
export type FilterEntry = FilterOperand | Record<string, FilterOperand>
export type FilterValue = FilterEntry | FilterEntry[]
export type FilterList = Record<string, FilterValue>

export interface ActivityRecordSearch {
  ContinuationMark?: string
  FilterList: FilterList
}

export interface ErrorEntry {
  Category: string
  Description: string
  Location?: string
}

export interface ErrorList {
  ErrorList: ErrorEntry[]
}
