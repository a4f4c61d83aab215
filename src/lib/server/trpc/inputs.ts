export * from '../services/common.schema';
