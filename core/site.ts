/** Facts about the site build that the program, the site function and the config all use. */

/** Where the build puts its content-hashed files: every file but index.html. */
export const ASSET_FOLDER = "assets";

/** The app's one page, served for the app's routes. */
export const APP_SHELL = "index.html";
