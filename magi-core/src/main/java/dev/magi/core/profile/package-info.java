/**
 * Profiles at work: {@link dev.magi.core.profile.ProfileService} lists, reads and saves them through
 * the store with the API's errors, and {@link dev.magi.core.profile.ProfileActivator} switches MAGI to
 * one, enabling its models and starting their servers. How a profile is written down is
 * {@link dev.magi.core.profile.format}'s concern.
 *
 * <p><b>Embedding API.</b> for {@link dev.magi.core.profile.ProfileService} and {@link
 * dev.magi.core.profile.ProfileActivator}, which the engine hands a host.
 */
package dev.magi.core.profile;
