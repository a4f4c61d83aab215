/*
 * The database role the application's transactions switch to (tenant-scope.ts). The migration
 * that created it is frozen with its own copy of the name; tests/integration/migrations.test.ts
 * checks the two agree, so application code never imports from a migration.
 */
export const APP_ROLE = 'certtrack_app';
