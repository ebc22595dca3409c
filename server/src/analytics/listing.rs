//! The caller's experiments and studies (an admin's: all), newest first, with the campaigns
//! and geos the setup forms offer. Scoped by construction: the queries filter on the caller's
//! advertiser, so nothing else is ever read.

use std::collections::HashMap;

use app::error::ApiError;
use app::services::Caller;
use app::wire::{CampaignRef, ExperimentList, StudyList};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::access::advertiser_of;
use super::experiments::summary;
use super::{Analytics, database};
use crate::db::entities::{campaign, campaign_daily_stat as stat, causal_study, experiment};

impl Analytics {
    pub(crate) async fn list_experiments(
        &self,
        caller: &Caller,
    ) -> Result<ExperimentList, ApiError> {
        let own = advertiser_of(caller)?;
        let mut query = experiment::Entity::find().order_by_desc(experiment::Column::Id);
        if let Some(own) = own {
            query = query.filter(experiment::Column::AdvertiserId.eq(own));
        }
        let experiments = query
            .all(&self.db)
            .await
            .map_err(database)?
            .iter()
            .map(summary)
            .collect::<Result<_, _>>()?;
        Ok(ExperimentList {
            experiments,
            campaigns: self.campaign_refs(own).await?,
        })
    }

    pub(crate) async fn list_studies(&self, caller: &Caller) -> Result<StudyList, ApiError> {
        let own = advertiser_of(caller)?;
        let mut query = causal_study::Entity::find().order_by_desc(causal_study::Column::Id);
        if let Some(own) = own {
            query = query.filter(causal_study::Column::AdvertiserId.eq(own));
        }
        let rows = query.all(&self.db).await.map_err(database)?;
        let mut zones = HashMap::new();
        let mut studies = Vec::with_capacity(rows.len());
        for row in &rows {
            let campaign_id = super::studies::design_of(row)?.campaign_id;
            let zone = match zones.get(&campaign_id) {
                Some(zone) => *zone,
                None => {
                    let zone = self.zone_of(campaign_id).await?;
                    zones.insert(campaign_id, zone);
                    zone
                }
            };
            studies.push(self.study_summary(row, zone)?);
        }
        let campaigns = self.campaign_refs(own).await?;
        let ids: Vec<i32> = campaigns.iter().map(|c| c.campaign_id).collect();
        let geos: Vec<String> = stat::Entity::find()
            .select_only()
            .column(stat::Column::Geo)
            .distinct()
            .filter(stat::Column::CampaignId.is_in(ids))
            .order_by_asc(stat::Column::Geo)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(database)?;
        Ok(StudyList {
            studies,
            campaigns,
            geos,
        })
    }

    async fn campaign_refs(&self, own: Option<i32>) -> Result<Vec<CampaignRef>, ApiError> {
        let mut query = campaign::Entity::find()
            .select_only()
            .columns([campaign::Column::Id, campaign::Column::Name])
            .order_by_asc(campaign::Column::Id);
        if let Some(own) = own {
            query = query.filter(campaign::Column::AdvertiserId.eq(own));
        }
        let rows: Vec<(i32, String)> = query.into_tuple().all(&self.db).await.map_err(database)?;
        Ok(rows
            .into_iter()
            .map(|(campaign_id, name)| CampaignRef { campaign_id, name })
            .collect())
    }
}
