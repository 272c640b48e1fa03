import type { Module } from '../../platform/module.js';
import { registerActivities } from './activities.js';
import { registerArchiveCampaign } from './archive-campaign.js';
import type { CampaignRouteDeps } from './context.js';
import { registerCreateCampaign } from './create-campaign.js';
import { registerCreateMessage } from './create-message.js';
import { registerDeleteMessage } from './delete-message.js';
import { registerEnrollContacts } from './enroll-contacts.js';
import { registerEnrollFromCriteria } from './enroll-from-criteria.js';
import { registerFunnel } from './funnel.js';
import { registerGetCampaign } from './get-campaign.js';
import { registerListCampaigns } from './list-campaigns.js';
import { registerListEnrollments } from './list-enrollments.js';
import { registerListMessages } from './list-messages.js';
import { registerListTemplates } from './list-templates.js';
import { registerPauseCampaign } from './pause-campaign.js';
import { registerPerformance } from './performance.js';
import { registerResumeCampaign } from './resume-campaign.js';
import { registerStartCampaign } from './start-campaign.js';
import { registerTargetedContacts } from './targeted-contacts.js';
import { registerUnenrollContact } from './unenroll-contact.js';
import { registerUpdateCampaign } from './update-campaign.js';
import { registerUpdateMessage } from './update-message.js';

/** The campaigns API and the templates list (`v1` group: an organization's API key). */
export function campaignRoutes(deps: CampaignRouteDeps): NonNullable<Module['routes']> {
  return {
    v1(group) {
      registerListTemplates(group, deps);
      registerCreateCampaign(group, deps);
      registerListCampaigns(group, deps);
      registerGetCampaign(group, deps);
      registerUpdateCampaign(group, deps);
      registerArchiveCampaign(group, deps);
      registerStartCampaign(group, deps);
      registerPauseCampaign(group, deps);
      registerResumeCampaign(group, deps);
      registerListMessages(group, deps);
      registerCreateMessage(group, deps);
      registerUpdateMessage(group, deps);
      registerDeleteMessage(group, deps);
      registerEnrollContacts(group, deps);
      registerEnrollFromCriteria(group, deps);
      registerTargetedContacts(group, deps);
      registerListEnrollments(group, deps);
      registerUnenrollContact(group, deps);
      registerPerformance(group, deps);
      registerFunnel(group, deps);
      registerActivities(group, deps);
    },
  };
}
