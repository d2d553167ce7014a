// @ts-check

/**
 * What the page is looking at. Panels read it when they render; main.js changes it in response to
 * the person and to live messages, then asks the right panels to re-read.
 */
export const state = {
  /** The run the timeline shows: the one started here, or the newest one heard of. */
  runId: /** @type {string | null} */ (null),
  /** The user the stitching and vendor panels show. */
  user: /** @type {string | null} */ (null),
  /** Switch to the user of each new run. */
  followRun: true,
  /** '' for both vendors. */
  deliveriesVendor: '',
  deliveriesUserOnly: false,
  /**
   * Users the stores hold (from the user list and from live messages). The page follows a new run
   * to its user before the run has created it; until then there is nothing to ask for.
   */
  usersKnown: /** @type {Set<string>} */ (new Set()),
  /**
   * Users the stitcher has heard of (from the user list and its own announcements). Until it has,
   * asking it about a user is a 404, so the page does not ask.
   */
  stitcherKnows: /** @type {Set<string>} */ (new Set()),
  /** The delivery to draw attention to (a webhook chip in the timeline was pressed). */
  highlightDelivery: /** @type {string | null} */ (null),
};
