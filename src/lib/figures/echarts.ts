/*
 * Apache ECharts, tree-shaken to what the figures draw: bar and line charts on a grid, with
 * tooltip, legend and ARIA descriptions, drawn as SVG (crisp in print, light in the page).
 * Loaded in the browser only, by the chart component. Chinese uses ECharts' own zh-CN locale
 * ('ZH', registered by echarts/core); English its 'EN'.
 */
import { init, use } from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import {
	AriaComponent,
	GridComponent,
	LegendComponent,
	TooltipComponent
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

use([
	BarChart,
	LineChart,
	GridComponent,
	TooltipComponent,
	LegendComponent,
	AriaComponent,
	SVGRenderer
]);

export { init };
