import type { offlineEn } from './offline-en.js';

/** 扫码器离线模式的中文文案；展开到 zh-CN.ts。 */
export const offlineZhCN: { readonly [K in keyof typeof offlineEn]: string } = {
  'offline.badge': '离线：由本设备判定',
  // 中文没有单复数之分：两种形式相同。
  'offline.status.one': '离线 · {count} 条扫描等待上传',
  'offline.status.other': '离线 · {count} 条扫描等待上传',
  'offline.pending.one': '{count} 条扫描等待上传',
  'offline.pending.other': '{count} 条扫描等待上传',
  'offline.uploadedOk': '已上传：签到成功',
  'offline.conflict': '冲突：已于 {time} 在其他入口签到',
  'offline.conflictGate': '冲突：已于 {time} 在 {gate} 签到',
  'offline.notTaken': '上传被拒绝（{reason}）',
};
