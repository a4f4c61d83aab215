/*
 * The database role the application runs as: on PostgreSQL it logs in as this role
 * (DATABASE_URL); on PGlite, or with a DATABASE_URL of the owner, each transaction switches to it
 * (tenant-scope.ts). The migration that created it is frozen with its own copy of the name;
 * tests/integration/migrations.test.ts checks the two agree, so application code never imports
 * from a migration.
 */
export const APP_ROLE = 'certtrack_app';
