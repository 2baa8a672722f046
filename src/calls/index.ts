export { type CallRecord, lastCallSql, listCalls, logCall } from './repository.ts';
export { CallInput, registerCallRoutes } from './routes.ts';
export { CALL_OUTCOMES, CALL_REST_DAYS, type CallOutcome, onCallList } from './rules.ts';
