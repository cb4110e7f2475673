/**
 * Two-stage answers for {@code auto}: a lower tier drafts, a higher tier checks, corrects and completes
 * the draft. Here are the rules as plain Java: whether a request runs in two stages and on which tiers
 * ({@link dev.magi.core.gateway.twostage.TwoStageRules}), and the requests each stage is sent
 * ({@link dev.magi.core.gateway.twostage.StageRequests}). Sending them is the HTTP layer's part.
 */
package dev.magi.core.gateway.twostage;
